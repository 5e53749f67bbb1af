import { BellRing } from 'lucide-react';
import type { ReactNode } from 'react';
import { describeAlert, type AlertView, type Threshold } from '../../shared/alerts.ts';
import { Badge } from './components/card.tsx';
import { EmptyState } from './components/feedback.tsx';
import { formatDate, formatDateTime, formatNumber } from './lib/format.ts';

/**
 * Usage alerts as both apps show them: the portal's notifications list, the
 * admin dashboard's operator feed and a user page's alerts. Each item reads as
 * the banner and the email do (describeAlert in shared/alerts.ts).
 */

/** "80%" or "5,000 requests". */
export function thresholdLabel(t: Threshold): string {
  return t.kind === 'percent' ? `${t.value}%` : `${formatNumber(t.value)} requests`;
}

/** Where an alert stands: still holding, or why it stopped. */
export function AlertStatus({ alert }: { alert: Pick<AlertView, 'resolvedAt' | 'resolvedReason' | 'kind'> }) {
  if (!alert.resolvedAt) return <Badge tone={alert.kind === 'exhausted' ? 'red' : 'amber'}>Active</Badge>;
  return <Badge tone="green">{alert.resolvedReason === 'upgrade' ? 'Resolved: upgraded' : 'Resolved: new period'}</Badge>;
}

/** A list of alerts, newest first, each with when it fired and where it stands; `who` adds the user it is about (the operator's feed). */
export function AlertList<A extends AlertView>({ alerts, label, emptyTitle, emptyText, who }: { alerts: readonly A[]; label: string; emptyTitle: string; emptyText?: ReactNode; who?: (a: A) => ReactNode }) {
  if (alerts.length === 0) return <EmptyState title={emptyTitle} icon={<BellRing className="size-5" aria-hidden="true" />}>{emptyText}</EmptyState>;
  return (
    <ul aria-label={label} className="divide-y divide-zinc-100">
      {alerts.map((a) => (
        <li key={a.id} className="flex flex-col gap-1 px-4 py-3 sm:flex-row sm:items-start sm:justify-between sm:gap-3">
          <div className="min-w-0">
            {who && <div className="truncate text-sm">{who(a)}</div>}
            <p className="text-sm text-zinc-900 [overflow-wrap:anywhere]">{describeAlert(a)}</p>
            <p className="mt-0.5 text-xs text-zinc-500">
              Fired <time dateTime={a.firedAt}>{formatDateTime(a.firedAt)}</time> · period resets {formatDate(a.resetAt)}
              {a.resolvedAt && (
                <>
                  {' '}
                  · resolved <time dateTime={a.resolvedAt}>{formatDateTime(a.resolvedAt)}</time>
                </>
              )}
            </p>
          </div>
          <div className="shrink-0">
            <AlertStatus alert={a} />
          </div>
        </li>
      ))}
    </ul>
  );
}
