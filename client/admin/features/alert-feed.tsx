import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { AlertList } from '../../ui/alerts.tsx';
import { Badge, Card, CardHeader } from '../../ui/components/card.tsx';
import { ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { trpc } from '../lib/trpc.ts';

/** The operator's feed of usage alerts: across users on the dashboard, or one user's on their page. */
export function AlertFeedCard({ userId, limit = 20 }: { userId?: string; limit?: number }) {
  const feed = useQuery({ ...trpc.admin.alerts.feed.queryOptions(userId ? { limit, userId } : { limit }), refetchInterval: 30_000 });
  const headingId = userId ? 'user-alerts' : 'alert-feed';
  return (
    <Card aria-labelledby={headingId}>
      <CardHeader
        id={headingId}
        title={userId ? 'Usage alerts' : 'Recent alerts'}
        description={userId ? 'Thresholds this user crossed, newest first' : 'Users crossing their alert thresholds, newest first'}
      />
      {feed.isPending ? (
        <LoadingBlock rows={4} label="Loading alerts" />
      ) : feed.isError ? (
        <ErrorState message={errorMessage(feed.error)} onRetry={() => void feed.refetch()} />
      ) : (
        <AlertList
          alerts={feed.data}
          label={userId ? 'Usage alerts' : 'Recent alerts'}
          emptyTitle="No alerts yet"
          emptyText={userId ? 'None of this user’s thresholds has been crossed.' : 'When a user crosses one of their thresholds, it shows here.'}
          who={
            userId
              ? undefined
              : (a) => (
                  <span className="flex min-w-0 items-center gap-2">
                    <Link to="/users/$userId" params={{ userId: a.userId }} className="truncate font-medium text-zinc-900 hover:text-brand-700 hover:underline">
                      {a.email}
                    </Link>
                    <Badge>{a.tier}</Badge>
                  </span>
                )
          }
        />
      )}
    </Card>
  );
}
