import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import type { CreatedEndpoint, WebhookEndpointView } from '../../../shared/webhooks.ts';
import { EndpointCard, WebhooksScreen, type WebhookCalls } from '../../ui/webhooks.tsx';
import { useInvalidate } from '../lib/invalidation.ts';
import { useCanWrite } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/_app/webhooks')({ component: WebhooksPage });

/** The operator's endpoints, which receive every user's events, with the same delivery log as the portal's. */
function WebhooksPage() {
  const canWrite = useCanWrite();
  const invalidate = useInvalidate();
  const endpoints = useQuery(trpc.admin.webhooks.list.queryOptions({}));
  const create = useMutation(trpc.admin.webhooks.create.mutationOptions());
  const remove = useMutation(trpc.admin.webhooks.delete.mutationOptions());
  const disable = useMutation(trpc.admin.webhooks.disable.mutationOptions());
  const enable = useMutation(trpc.admin.webhooks.enable.mutationOptions());
  const sendTest = useMutation(trpc.admin.webhooks.sendTest.mutationOptions());
  const rotateSecret = useMutation(trpc.admin.webhooks.rotateSecret.mutationOptions());
  const retry = useMutation(trpc.admin.webhooks.retry.mutationOptions());
  const calls: WebhookCalls = {
    remove: (id) => remove.mutateAsync({ id }),
    setEnabled: (id, on) => (on ? enable : disable).mutateAsync({ id }),
    sendTest: (id) => sendTest.mutateAsync({ id }),
    rotateSecret: (id) => rotateSecret.mutateAsync({ id }),
    retry: (id) => retry.mutateAsync({ id }),
  };
  const refresh = () => invalidate('webhooks');

  return (
    <WebhooksScreen
      description="Endpoints of your own that hear every user's events (keys, quotas, subscriptions). Customers add theirs in the portal. Deliveries are signed per Standard Webhooks and retried for about a day."
      listTitle="Operator endpoints"
      emptyText="Add an https URL (an internal address needs WEBHOOK_ALLOWED_NETWORKS), then send it a test event."
      urlHint="https only. Private addresses are refused unless WEBHOOK_ALLOWED_NETWORKS names them."
      endpoints={{ data: endpoints.data, isPending: endpoints.isPending, error: endpoints.error, refetch: () => void endpoints.refetch() }}
      canWrite={canWrite}
      create={(input) => create.mutateAsync(input)}
      onChanged={refresh}
      renderEndpoint={(e, onSecret) => <OperatorEndpoint endpoint={e} canWrite={canWrite} calls={calls} onChanged={refresh} onSecret={onSecret} />}
    />
  );
}

function OperatorEndpoint({ endpoint, ...rest }: { endpoint: WebhookEndpointView; canWrite: boolean; calls: WebhookCalls; onChanged: () => Promise<void>; onSecret: (c: CreatedEndpoint) => void }) {
  // A pending delivery changes on its own: look again every few seconds while one waits.
  const log = useQuery({
    ...trpc.admin.webhooks.deliveries.queryOptions({ id: endpoint.id }),
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.state === 'pending') ? 3000 : false),
  });
  return <EndpointCard endpoint={endpoint} log={{ data: log.data, isPending: log.isPending, error: log.error, refetch: () => void log.refetch() }} {...rest} />;
}
