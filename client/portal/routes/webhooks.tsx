import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import type { CreatedEndpoint, WebhookEndpointView } from '../../../shared/webhooks.ts';
import { EndpointCard, WebhooksScreen, type WebhookCalls } from '../../ui/webhooks.tsx';
import { useInvalidate } from '../lib/invalidation.ts';
import { useCustomer } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/app/webhooks')({ component: WebhooksPage });

/** The customer's webhook endpoints: add (secret shown once), send a test event, read the delivery log, retry, disable. */
function WebhooksPage() {
  const customer = useCustomer();
  const endpoints = useQuery(trpc.webhooks.list.queryOptions());
  const invalidateAfter = useInvalidate();
  const invalidate = () => invalidateAfter('webhooks');
  const create = useMutation(trpc.webhooks.create.mutationOptions());
  const remove = useMutation(trpc.webhooks.delete.mutationOptions());
  const disable = useMutation(trpc.webhooks.disable.mutationOptions());
  const enable = useMutation(trpc.webhooks.enable.mutationOptions());
  const sendTest = useMutation(trpc.webhooks.sendTest.mutationOptions());
  const rotateSecret = useMutation(trpc.webhooks.rotateSecret.mutationOptions());
  const retry = useMutation(trpc.webhooks.retry.mutationOptions());
  const calls: WebhookCalls = {
    remove: (id) => remove.mutateAsync({ id }),
    setEnabled: (id, on) => (on ? enable : disable).mutateAsync({ id }),
    sendTest: (id) => sendTest.mutateAsync({ id }),
    rotateSecret: (id) => rotateSecret.mutateAsync({ id }),
    retry: (id) => retry.mutateAsync({ id }),
  };
  const canWrite = customer?.status !== 'suspended';

  return (
    <WebhooksScreen
      description="Harmonic calls your endpoints when something happens to your keys, your quota or your plan. Every request is signed (Standard Webhooks) and retried for about a day if it fails."
      listTitle="Your endpoints"
      emptyText="Add an https URL that should hear about events, then send it a test event."
      urlHint="https only. Addresses inside private networks are refused."
      endpoints={{ data: endpoints.data, isPending: endpoints.isPending, error: endpoints.error, refetch: () => void endpoints.refetch() }}
      canWrite={canWrite}
      create={(input) => create.mutateAsync(input)}
      onChanged={invalidate}
      renderEndpoint={(e, onSecret) => <PortalEndpoint endpoint={e} canWrite={canWrite} calls={calls} onChanged={invalidate} onSecret={onSecret} />}
    />
  );
}

function PortalEndpoint({ endpoint, ...rest }: { endpoint: WebhookEndpointView; canWrite: boolean; calls: WebhookCalls; onChanged: () => Promise<void>; onSecret: (c: CreatedEndpoint) => void }) {
  // A pending delivery changes on its own: look again every few seconds while one waits.
  const log = useQuery({
    ...trpc.webhooks.deliveries.queryOptions({ id: endpoint.id }),
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.state === 'pending') ? 3000 : false),
  });
  return <EndpointCard endpoint={endpoint} log={{ data: log.data, isPending: log.isPending, error: log.error, refetch: () => void log.refetch() }} {...rest} />;
}
