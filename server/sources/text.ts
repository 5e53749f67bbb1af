/**
 * Text helpers shared by the source adapters. Upstreams send snippets as HTML
 * fragments (Wikipedia's search excerpts, Hacker News story text) or Markdown
 * (our knowledge base); every `snippet` we return is plain text, and every
 * `highlight` is HTML-escaped text whose only markup is `<mark>`.
 */

/** Marks a highlighted span in text on its way to `toHighlight`; control characters cannot occur in real snippets. */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * An HTML fragment as plain text. Elements named in `marks` (e.g. Wikipedia's
 * `<span class="searchmatch">`) become MARK_START…MARK_END so a highlight can be rebuilt.
 */
export function htmlToText(html: string, marks?: RegExp): string {
  let s = html;
  if (marks) s = s.replace(marks, (_whole, inner: string) => `${MARK_START}${inner}${MARK_END}`);
  s = s
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|p|div|li|tr|h[1-6])\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  return collapseWhitespace(decodeEntities(s));
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Text carrying MARK_START/MARK_END as HTML-escaped text with `<mark>` elements. */
export function toHighlight(marked: string): string {
  return escapeHtml(marked).replaceAll(MARK_START, '<mark>').replaceAll(MARK_END, '</mark>');
}

export function stripMarks(marked: string): string {
  return marked.replaceAll(MARK_START, '').replaceAll(MARK_END, '');
}

const TABLE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/** Markdown as readable plain text: enough for a snippet, not a renderer. */
export function markdownToText(md: string): string {
  const lines = md.split('\n').flatMap((line) => {
    if (/^\s*```/.test(line) || TABLE_SEPARATOR.test(line)) return [];
    if (/^\s*\|/.test(line)) {
      return [
        line
          .trim()
          .replace(/^\||\|$/g, '')
          .split('|')
          .map((cell) => cell.trim())
          .join(' · '),
      ];
    }
    return [line.replace(/^\s{0,3}#{1,6}\s+/, '').replace(/^\s{0,3}>\s?/, '').replace(/^\s*(?:[-*+]|\d+\.)\s+/, '')];
  });
  return collapseWhitespace(
    lines
      .join('\n')
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/(\*\*|__)(.+?)\1/g, '$2')
      .replace(/(^|[\s(])_([^_\s][^_]*?)_(?=[\s).,;:!?]|$)/gm, '$1$2')
      // Emphasis asterisks, including ones left unpaired where a passage was cut; a spaced " * " stays.
      .replace(/\*+(?=\S)|(?<=\S)\*+/g, '')
      // Code spans, and a backtick left unpaired where a passage was cut.
      .replace(/`/g, ''),
  );
}

/** At most `max` characters, cut at a word boundary, with an ellipsis when cut. */
export function truncate(text: string, max = 300): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/, '')}…`;
}

/** Truncates text carrying marks without leaving a mark open. */
export function truncateMarked(marked: string, max = 300): string {
  const cut = truncate(marked, max);
  const opens = cut.split(MARK_START).length - 1;
  const closes = cut.split(MARK_END).length - 1;
  if (opens <= closes) return cut;
  return cut.endsWith('…') ? `${cut.slice(0, -1)}${MARK_END}…` : `${cut}${MARK_END}`;
}
