import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { Webhook } from 'lucide-react';
import { useState } from 'react';
import type { CreatedEndpoint, WebhookEndpointView } from '../../../shared/webhooks.ts';
import { Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { AddEndpointButton, CreateEndpointDialog, EndpointCard, RevealSecretDialog, type WebhookCalls } from '../../ui/webhooks.tsx';
import { useInvalidate } from '../lib/invalidation.ts';
import { useCustomer } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/app/webhooks')({ component: WebhooksPage });

/** The customer's webhook endpoints: add (secret shown once), send a test event, read the delivery log, retry, disable. */
function WebhooksPage() {
  const customer = useCustomer();
  const endpoints = useQuery(trpc.webhooks.list.queryOptions());
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<CreatedEndpoint | null>(null);
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
    <>
      <PageHeader
        title="Webhooks"
        description="Harmonic calls your endpoints when something happens to your keys, your quota or your plan. Every request is signed (Standard Webhooks) and retried for about a day if it fails."
        actions={canWrite && <AddEndpointButton onClick={() => setAdding(true)} />}
      />
      {endpoints.isPending ? (
        <LoadingBlock rows={3} label="Loading endpoints" />
      ) : endpoints.isError ? (
        <ErrorState message={errorMessage(endpoints.error)} onRetry={() => void endpoints.refetch()} />
      ) : endpoints.data.length === 0 ? (
        <Card aria-labelledby="webhooks-empty">
          <CardHeader id="webhooks-empty" title="Your endpoints" />
          <EmptyState title="No endpoints yet" icon={<Webhook className="size-5" aria-hidden="true" />}>
            Add an https URL that should hear about events, then send it a test event.
          </EmptyState>
        </Card>
      ) : (
        <div className="space-y-4">
          {endpoints.data.map((e) => (
            <PortalEndpoint key={e.id} endpoint={e} canWrite={canWrite} calls={calls} onChanged={invalidate} onSecret={setSecret} />
          ))}
        </div>
      )}
      <CreateEndpointDialog
        open={adding}
        onOpenChange={setAdding}
        create={(input) => create.mutateAsync(input)}
        urlHint="https only. Addresses inside private networks are refused."
        onCreated={(created) => {
          setAdding(false);
          setSecret(created);
          void invalidate();
        }}
      />
      <RevealSecretDialog created={secret} onClose={() => setSecret(null)} />
    </>
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
