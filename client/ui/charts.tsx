import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatCompact, formatDay, formatNumber } from './lib/format.ts';

export interface Series {
  key: string;
  label: string;
  color: string;
}

export const STATUS_SERIES: Series[] = [
  { key: 'ok', label: 'Success (2xx)', color: '#10b981' },
  { key: 'clientErrors', label: 'Client errors (4xx)', color: '#f59e0b' },
  { key: 'serverErrors', label: 'Server errors (5xx)', color: '#ef4444' },
];

const PALETTE = ['#6366f1', '#06b6d4', '#f59e0b', '#10b981', '#ec4899', '#8b5cf6', '#84cc16', '#f97316', '#64748b'];

/** One series per source name, in a stable order and colour. */
export function sourceSeries(names: Iterable<string>): Series[] {
  return [...new Set(names)].sort().map((name, i) => ({ key: name, label: name, color: PALETTE[i % PALETTE.length] ?? '#64748b' }));
}

/**
 * Requests per day as stacked bars (recharts). The wrapper carries a text
 * summary for screen readers; the numbers are also in the tooltip.
 */
export function StackedDailyChart({ data, series, summary, height = 260 }: { data: ({ date: string } & Record<string, number | string>)[]; series: Series[]; summary: string; height?: number }) {
  return (
    <div role="img" aria-label={summary} style={{ height }} className="w-full">
      <ResponsiveContainer width="100%" height="100%" minWidth={0} initialDimension={{ width: 600, height }}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
          <CartesianGrid vertical={false} stroke="#e4e4e7" />
          <XAxis dataKey="date" tickFormatter={formatDay} tick={{ fontSize: 11, fill: '#71717a' }} tickLine={false} axisLine={false} minTickGap={16} />
          <YAxis tickFormatter={formatCompact} tick={{ fontSize: 11, fill: '#71717a' }} tickLine={false} axisLine={false} allowDecimals={false} width={44} />
          <Tooltip
            cursor={{ fill: '#f4f4f5' }}
            labelFormatter={(d) => formatDay(String(d))}
            formatter={(value, name) => [formatNumber(Number(value)), name]}
            contentStyle={{ borderRadius: 8, border: '1px solid #e4e4e7', fontSize: 12 }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} iconType="circle" iconSize={8} />
          {series.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="a" fill={s.color} maxBarSize={28} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** A ranked breakdown (by source, endpoint, status) as labelled bars: readable at any width, no chart library needed. */
export function BreakdownList({ items, label, empty = 'No requests yet' }: { items: { key: string; requests: number }[]; label: string; empty?: string }) {
  const max = Math.max(1, ...items.map((i) => i.requests));
  if (items.length === 0) return <p className="px-4 py-6 text-center text-sm text-zinc-500">{empty}</p>;
  return (
    <ul aria-label={label} className="space-y-2.5 px-4 py-3">
      {items.map((i) => (
        <li key={i.key}>
          <div className="flex items-baseline justify-between gap-3 text-sm">
            <span className="truncate font-mono text-xs text-zinc-700">{i.key || '—'}</span>
            <span className="tabular-nums text-zinc-900">{formatNumber(i.requests)}</span>
          </div>
          <div className="mt-1 h-1.5 rounded-full bg-zinc-100" aria-hidden="true">
            <div className="h-full rounded-full bg-brand-500" style={{ width: `${(i.requests / max) * 100}%` }} />
          </div>
        </li>
      ))}
    </ul>
  );
}
