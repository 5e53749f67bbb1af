import type { SourceName } from '../../../shared/data.ts';

/** What the playground sends to `POST /api/v1/data`. */
export interface PlaygroundRequest {
  baseUrl: string;
  query: string;
  sources: SourceName[];
  limit: number;
  /** The key to send, or null for demo mode. */
  apiKey: string | null;
  /** Put the real key in the snippet; otherwise it reads it from $HARMONIC_KEY. */
  revealKey: boolean;
}

/** The request body, as the server documents it (README "The API"). */
export function requestBody(r: Pick<PlaygroundRequest, 'query' | 'sources' | 'limit'>): { query: string; sources: SourceName[]; limit: number } {
  return { query: r.query, sources: r.sources, limit: r.limit };
}

/** Quotes a string for a POSIX shell: single quotes, with embedded ones closed and escaped. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** A curl command that makes the same call, ready to paste into a shell. */
export function curlCommand(r: PlaygroundRequest): string {
  const lines = [`curl -sS -X POST ${shellQuote(`${trimSlash(r.baseUrl)}/api/v1/data`)}`];
  if (r.apiKey !== null) lines.push(r.revealKey ? `-H ${shellQuote(`X-API-Key: ${r.apiKey}`)}` : `-H "X-API-Key: $HARMONIC_KEY"`);
  lines.push(`-H 'Content-Type: application/json'`);
  lines.push(`-d ${shellQuote(JSON.stringify(requestBody(r)))}`);
  return lines.join(' \\\n  ');
}

/** The same call through the typed client (client/sdk, the `@harmonic/client` package). */
export function typedClientSnippet(r: PlaygroundRequest): string {
  const key = r.apiKey !== null && r.revealKey ? JSON.stringify(r.apiKey) : 'process.env.HARMONIC_KEY!';
  const input = `{ query: ${JSON.stringify(r.query)}, sources: [${r.sources.map((s) => JSON.stringify(s)).join(', ')}], limit: ${r.limit} }`;
  return [
    `import { createHarmonicClient } from '@harmonic/client';`,
    ``,
    ...(r.apiKey === null ? [`// The typed client always sends a key: demo mode is for keyless REST calls only.`] : []),
    `const harmonic = createHarmonicClient({`,
    `  baseUrl: ${JSON.stringify(trimSlash(r.baseUrl))},`,
    `  apiKey: ${key},`,
    `  onRateLimit: (r) => console.log(\`\${r.used} used, \${r.remaining ?? 'unlimited'} left\`),`,
    `});`,
    ``,
    `const answer = await harmonic.data.fetch.mutate(${input});`,
    `for (const [source, report] of Object.entries(answer.sources)) {`,
    `  console.log(source, report.status, report.count);`,
    `}`,
  ].join('\n');
}

/** The rate-limit and diagnostic headers the playground shows, in a stable order, present ones only. */
export const SHOWN_HEADERS = [
  'x-ratelimit-limit',
  'x-ratelimit-used',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'ratelimit-policy',
  'ratelimit',
  'retry-after',
  'x-user-id',
  'x-demo-mode',
  'x-response-time',
  'x-request-id',
] as const;

export function pickHeaders(headers: Headers): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const name of SHOWN_HEADERS) {
    const value = headers.get(name);
    if (value !== null) out.push({ name: canonicalHeader(name), value });
  }
  return out;
}

/** x-ratelimit-limit → X-RateLimit-Limit, as the README writes them. */
export function canonicalHeader(name: string): string {
  return name
    .split('-')
    .map((p) => (p === 'ratelimit' ? 'RateLimit' : p === 'id' ? 'Id' : (p[0]?.toUpperCase() ?? '') + p.slice(1)))
    .join('-');
}

/** Masks a key for display: hm_ + the lookup id, then dots. */
export function maskKey(key: string): string {
  return key.length > 11 ? `${key.slice(0, 11)}…` : key;
}
