import { useMutation, useQuery } from '@tanstack/react-query';
import { Webhook } from 'lucide-react';
import type { WebhookEndpointView } from '../../../shared/webhooks.ts';
import { Card, CardHeader } from '../../ui/components/card.tsx';
import { EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { EndpointCard, type WebhookCalls } from '../../ui/webhooks.tsx';
import { useInvalidate } from '../lib/invalidation.ts';
import { trpc } from '../lib/trpc.ts';

/**
 * A customer's webhook endpoints, for support: their delivery logs, with disable, enable and
 * "retry now". Adding, deleting and the secret stay the customer's (the portal).
 */
export function UserWebhooksPanel({ userId, canWrite }: { userId: string; canWrite: boolean }) {
  const invalidate = useInvalidate();
  const endpoints = useQuery(trpc.admin.webhooks.list.queryOptions({ userId }));
  const disable = useMutation(trpc.admin.webhooks.disable.mutationOptions());
  const enable = useMutation(trpc.admin.webhooks.enable.mutationOptions());
  const retry = useMutation(trpc.admin.webhooks.retry.mutationOptions());
  const calls: WebhookCalls = {
    setEnabled: (id, on) => (on ? enable : disable).mutateAsync({ id }),
    retry: (id) => retry.mutateAsync({ id }),
  };
  if (endpoints.isPending) return <LoadingBlock rows={3} label="Loading endpoints" />;
  if (endpoints.isError) return <ErrorState message={errorMessage(endpoints.error)} onRetry={() => void endpoints.refetch()} />;
  if (endpoints.data.length === 0) {
    return (
      <Card aria-labelledby="user-webhooks-empty">
        <CardHeader id="user-webhooks-empty" title="Webhook endpoints" />
        <EmptyState title="No endpoints" icon={<Webhook className="size-5" aria-hidden="true" />}>
          This customer has not added any webhook endpoint on the portal.
        </EmptyState>
      </Card>
    );
  }
  return (
    <div className="space-y-4">
      {endpoints.data.map((e) => (
        <UserEndpoint key={e.id} endpoint={e} canWrite={canWrite} calls={calls} onChanged={() => invalidate('webhooks')} />
      ))}
    </div>
  );
}

function UserEndpoint({ endpoint, ...rest }: { endpoint: WebhookEndpointView; canWrite: boolean; calls: WebhookCalls; onChanged: () => Promise<void> }) {
  const log = useQuery(trpc.admin.webhooks.deliveries.queryOptions({ id: endpoint.id }));
  return <EndpointCard endpoint={endpoint} log={{ data: log.data, isPending: log.isPending, error: log.error, refetch: () => void log.refetch() }} {...rest} />;
}
