import { cx } from './components/cx.ts';
import { formatDate, formatNumber, formatPercent, quotaRatio, quotaTone } from './lib/format.ts';

const fills = { ok: 'bg-brand-500', warn: 'bg-amber-500', over: 'bg-red-500' };

/** This period's standing: used, remaining and the reset date, as a meter. */
export function QuotaBar({ used, limit, resetAt, compact = false }: { used: number; limit: number | null; resetAt?: string; compact?: boolean }) {
  const ratio = quotaRatio(used, limit);
  const tone = quotaTone(used, limit);
  const remaining = limit === null ? null : Math.max(0, limit - used);
  return (
    <div>
      {!compact && (
        <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
          <p className="text-sm text-zinc-600">
            <span className="text-2xl font-semibold tabular-nums text-zinc-900">{formatNumber(used)}</span>
            {limit === null ? ' requests this month (unlimited)' : ` of ${formatNumber(limit)} requests`}
          </p>
          {ratio !== null && <p className={cx('text-sm font-medium tabular-nums', tone === 'over' ? 'text-red-700' : tone === 'warn' ? 'text-amber-700' : 'text-zinc-600')}>{formatPercent(ratio)}</p>}
        </div>
      )}
      <div
        role="meter"
        aria-label="Quota used this month"
        aria-valuemin={0}
        aria-valuemax={limit ?? Math.max(used, 1)}
        aria-valuenow={used}
        aria-valuetext={limit === null ? `${formatNumber(used)} used, unlimited` : `${formatNumber(used)} of ${formatNumber(limit)} used`}
        className={cx('overflow-hidden rounded-full bg-zinc-100', compact ? 'h-1.5' : 'h-2.5')}
      >
        <div className={cx('h-full rounded-full transition-[width]', limit === null ? 'bg-zinc-300' : fills[tone])} style={{ width: `${(ratio ?? (used > 0 ? 1 : 0)) * 100}%` }} />
      </div>
      {!compact && (
        <dl className="mt-3 grid grid-cols-3 gap-2 text-sm">
          <div>
            <dt className="text-xs text-zinc-500">Used</dt>
            <dd className="font-medium tabular-nums">{formatNumber(used)}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Remaining</dt>
            <dd className="font-medium tabular-nums">{remaining === null ? 'Unlimited' : formatNumber(remaining)}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Resets</dt>
            <dd className="font-medium">{formatDate(resetAt)}</dd>
          </div>
        </dl>
      )}
    </div>
  );
}
