/** Small helpers shared by the benchmarks: percentiles and a plain-text table. */
export interface Row {
  name: string;
  unit: string;
  p50?: number;
  p99?: number;
  max?: number;
  rps?: number;
  errors?: number;
  [extra: string]: unknown;
}

export function percentiles(samples: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

const fmt = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : v === undefined ? '' : String(v));

export function printTable(rows: Row[]): void {
  const header = ['measurement', 'unit', 'p50', 'p99', 'max', 'req/s', 'errors'];
  const body = rows.map((r) => [r.name, r.unit, fmt(r.p50), fmt(r.p99), fmt(r.max), fmt(r.rps), fmt(r.errors)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const b of body) console.log(line(b));
}
