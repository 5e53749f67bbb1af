import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The functions that used the most CPU themselves (self time), from a V8 .cpuprofile. */
export function topFrames(file: string, n: number): { name: string; location: string; selfPercent: number }[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const byFrame = new Map<string, { name: string; location: string; hits: number }>();
  for (const node of profile.nodes) {
    const h = hits.get(node.id) ?? 0;
    if (!h) continue;
    const name = node.callFrame.functionName || '(anonymous)';
    const location = node.callFrame.url ? `${node.callFrame.url.replace(/^file:\/\/.*?node_modules\//, '').replace(/^file:\/\/.*?\/(server|shared)\//, '$1/')}:${node.callFrame.lineNumber + 1}` : '';
    const key = `${name} ${location}`;
    const entry = byFrame.get(key) ?? { name, location, hits: 0 };
    entry.hits += h;
    byFrame.set(key, entry);
  }
  const total = profile.samples.length || 1;
  return [...byFrame.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, n)
    .map((f) => ({ name: f.name, location: f.location, selfPercent: (100 * f.hits) / total }));
}
