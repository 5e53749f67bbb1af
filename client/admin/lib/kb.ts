/**
 * A knowledge-base excerpt is Markdown, with the words that matched a search
 * between `**` marks. For a one-line preview: drop block markers, links'
 * targets and table rules, and split into plain and highlighted runs (only a
 * search's excerpt is highlighted: elsewhere `**` is just bold).
 */
export function excerptRuns(excerpt: string, highlight = true): { text: string; mark: boolean }[] {
  const plain = excerpt
    .replace(/```[\s\S]*?(```|$)/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/gm, '')
    .replace(/^[ \t]*\|[ \t]*|[ \t]*\|[ \t]*$/gm, '')
    .replace(/[ \t]*\|[ \t]*/g, ' · ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!highlight) {
    const text = plain.replaceAll('**', '');
    return text ? [{ text, mark: false }] : [];
  }
  const runs: { text: string; mark: boolean }[] = [];
  // A match inside Markdown bold comes back as ****word****: one highlight, not two empty ones.
  plain
    .replace(/\*{4}/g, '**')
    .split('**').forEach((text, i) => {
    if (text) runs.push({ text, mark: i % 2 === 1 });
  });
  return runs;
}

/** The entry id of a kb result's URL (`/api/v1/kb/{id}`, or the older `/kb/{id}`), so the SPA can open it in its own editor. */
export function kbEntryIdFromUrl(url: string): string | undefined {
  return /^\/(?:api\/v1\/)?kb\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(url)?.[1];
}
