import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { Bell, Gauge } from 'lucide-react';
import { describeAlert } from '../../../shared/alerts.ts';
import { cx } from '../../ui/components/cx.ts';
import { formatDate } from '../../ui/lib/format.ts';
import { trpc } from '../lib/trpc.ts';

/** The notices change when calls cross a threshold, so every screen looks again now and then. */
export const notificationsOptions = () => ({ ...trpc.alerts.notifications.queryOptions(), refetchInterval: 30_000 });

/** Across every screen while an alert holds in this period: the highest one, and where to get more quota. */
export function QuotaAlertBanner() {
  const { data } = useQuery(notificationsOptions());
  const top = data?.active[0];
  if (!top) return null;
  const exhausted = top.kind === 'exhausted' || (top.limit !== null && top.used >= top.limit);
  return (
    <div
      role="status"
      aria-label="Usage alert"
      className={cx(
        'mb-6 flex flex-col gap-2 rounded-lg border px-4 py-3 text-sm sm:flex-row sm:items-center',
        exhausted ? 'border-red-200 bg-red-50 text-red-900' : 'border-amber-200 bg-amber-50 text-amber-900',
      )}
    >
      <Gauge className="hidden size-4 shrink-0 sm:block" aria-hidden="true" />
      <p className="flex-1 [overflow-wrap:anywhere]">
        <span className="font-medium">{describeAlert(top)}</span> — resets {formatDate(top.resetAt)}.
      </p>
      <Link to="/app/plan" className="shrink-0 font-medium underline hover:no-underline">
        See plans and upgrade
      </Link>
    </div>
  );
}

/** The header's bell: the notifications screen, with how many fired since the customer last looked. */
export function NotificationsBell() {
  const { data } = useQuery(notificationsOptions());
  const unread = data?.unread ?? 0;
  return (
    <Link
      to="/app/alerts"
      aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
      className="relative inline-flex size-9 shrink-0 items-center justify-center rounded-md text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900"
    >
      <Bell className="size-5" aria-hidden="true" />
      {unread > 0 && (
        <span aria-hidden="true" className="absolute -right-0.5 -top-0.5 min-w-5 rounded-full bg-red-600 px-1 text-center text-[11px] font-semibold leading-5 text-white">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </Link>
  );
}
