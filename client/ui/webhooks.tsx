import { Ban, Play, Plus, RefreshCw, RotateCcw, Send, Trash2, Webhook } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import {
  createEndpointSchema,
  EVENT_DESCRIPTIONS,
  SUBSCRIBABLE_EVENT_TYPES,
  type CreatedEndpoint,
  type DeliveryPage,
  type DeliveryState,
  type SubscribableEventType,
  type WebhookDeliveryView,
  type WebhookEndpointView,
} from '../../shared/webhooks.ts';
import { Button } from './components/button.tsx';
import { Badge, Card, CardHeader, PageHeader } from './components/card.tsx';
import { ConfirmDialog, Dialog, DialogFooter } from './components/dialog.tsx';
import { Alert, EmptyState, ErrorState, LoadingBlock } from './components/feedback.tsx';
import { Checkbox, Field, Input } from './components/field.tsx';
import { TBody, THead, Table, Td, Th } from './components/table.tsx';
import { ShownOnce } from './keys.tsx';
import { errorMessage } from './lib/errors.ts';
import { useDialogForm } from './lib/forms.ts';
import { formatDateTime, formatRelative } from './lib/format.ts';
import { toast } from './lib/toast.ts';

/**
 * Webhook endpoints as both apps show them: the list, the dialog that adds one
 * (its secret shown once), and each endpoint's delivery log with "retry now".
 * Each app passes its own calls (the portal's `portal.webhooks.*` for the
 * customer's own, the admin's `admin.webhooks.*` for the operator's).
 */

/**
 * The calls one app makes on an endpoint; each returns what the server answered. Without the
 * owner's ones (an admin looking at a customer's endpoint), only disable, enable and retry show.
 */
export interface WebhookCalls {
  setEnabled: (id: string, enabled: boolean) => Promise<unknown>;
  retry: (deliveryId: string) => Promise<WebhookDeliveryView>;
  remove?: (id: string) => Promise<unknown>;
  sendTest?: (id: string) => Promise<WebhookDeliveryView>;
  rotateSecret?: (id: string) => Promise<CreatedEndpoint>;
}

export type CreateEndpoint = (input: { url: string; description: string; eventTypes: SubscribableEventType[] }) => Promise<CreatedEndpoint>;

const stateTone: Record<DeliveryState, 'green' | 'amber' | 'red' | 'neutral'> = { delivered: 'green', pending: 'amber', failed: 'red', exhausted: 'red' };
const stateLabel: Record<DeliveryState, string> = { delivered: 'Delivered', pending: 'Pending', failed: 'Failed', exhausted: 'Gave up' };

interface CreateValues {
  url: string;
  description: string;
  eventTypes: string[];
}

/** Adds an endpoint: its URL, what it is for, and the events it gets. */
export function CreateEndpointDialog({
  open,
  onOpenChange,
  create,
  onCreated,
  urlHint,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  create: CreateEndpoint;
  onCreated: (created: CreatedEndpoint) => void;
  urlHint: string;
}) {
  const { form, formError, close, submitting } = useDialogForm<CreateValues, typeof createEndpointSchema>(createEndpointSchema, {
    defaultValues: { url: '', description: '', eventTypes: [] },
    fields: ['url', 'description', 'eventTypes'],
    onOpenChange,
  });
  const submit = submitting(async (input) => {
    const created = await create(input);
    form.reset();
    onCreated(created);
  });
  const { errors } = form.formState;
  return (
    <Dialog open={open} onOpenChange={close} title="Add a webhook endpoint" description="Harmonic POSTs each event, signed per Standard Webhooks, to this URL." size="lg">
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field label="URL" error={errors.url?.message} hint={urlHint}>
          {(p) => <Input {...p} type="url" inputMode="url" autoComplete="off" placeholder="https://example.com/webhooks" {...form.register('url')} />}
        </Field>
        <Field label="Description" optional error={errors.description?.message}>
          {(p) => <Input {...p} autoComplete="off" {...form.register('description')} />}
        </Field>
        <fieldset aria-describedby={errors.eventTypes ? 'event-types-error' : undefined}>
          <legend className="mb-2 text-sm font-medium text-zinc-800">Events to send</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
              <Checkbox
                key={type}
                value={type}
                label={
                  <span>
                    <code className="text-xs">{type}</code>
                    <span className="block text-xs text-zinc-500">{EVENT_DESCRIPTIONS[type]}</span>
                  </span>
                }
                className="items-start rounded-lg border border-zinc-200 px-3 py-2"
                {...form.register('eventTypes')}
              />
            ))}
          </div>
          {errors.eventTypes && (
            <p id="event-types-error" className="mt-1.5 text-xs font-medium text-red-700">
              {errors.eventTypes.message ?? errors.eventTypes.root?.message}
            </p>
          )}
        </fieldset>
        <DialogFooter>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={form.formState.isSubmitting}>
            Add endpoint
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

/** The one moment the signing secret is in the browser. */
export function RevealSecretDialog({ created, onClose }: { created: CreatedEndpoint | null; onClose: () => void }) {
  return (
    <Dialog open={created !== null} onOpenChange={(open) => !open && onClose()} title="The endpoint's signing secret" description="Verify each delivery's webhook-signature with it (see the docs).">
      {created && (
        <div className="space-y-4">
          <ShownOnce secret={created.secret} label="Signing secret" id="revealed-secret" ifLost="rotate the secret to get a new one" />
          <DialogFooter>
            <Button variant="primary" onClick={onClose}>
              I have copied it
            </Button>
          </DialogFooter>
        </div>
      )}
    </Dialog>
  );
}

/** One endpoint: what it gets, its state, its actions, and its delivery log. */
export function EndpointCard({
  endpoint,
  log,
  canWrite,
  calls,
  onChanged,
  onSecret,
}: {
  endpoint: WebhookEndpointView;
  log: { data: DeliveryPage | undefined; isPending: boolean; error: unknown; refetch: () => void; loadMore?: (() => void) | undefined };
  canWrite: boolean;
  calls: WebhookCalls;
  onChanged: () => Promise<void>;
  onSecret?: ((created: CreatedEndpoint) => void) | undefined;
}) {
  const { sendTest, rotateSecret, remove } = calls;
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const run = async (what: string, work: () => Promise<unknown>, done?: string) => {
    setBusy(what);
    try {
      await work();
      if (done) toast(done);
      await onChanged();
    } catch (err) {
      toast(errorMessage(err), { tone: 'error' });
    } finally {
      setBusy(null);
    }
  };
  const headingId = `endpoint-${endpoint.id}`;
  return (
    <Card aria-labelledby={headingId}>
      <CardHeader
        id={headingId}
        title={<span className="break-all font-mono text-sm">{endpoint.url}</span>}
        description={
          <span className="flex flex-wrap items-center gap-1.5">
            {endpoint.enabled ? <Badge tone="green">Enabled</Badge> : <Badge tone="red">Disabled</Badge>}
            {endpoint.failingSince && endpoint.enabled && <Badge tone="amber">Failing since {formatDateTime(endpoint.failingSince)}</Badge>}
            {endpoint.description && <span>{endpoint.description}</span>}
          </span>
        }
        actions={
          canWrite && (
            <div className="flex flex-wrap justify-end gap-1.5">
              {sendTest && (
                <Button size="sm" disabled={!endpoint.enabled} pending={busy === 'test'} onClick={() => void run('test', () => sendTest(endpoint.id), 'Test event queued')}>
                  <Send className="size-3.5" aria-hidden="true" /> Send test event
                </Button>
              )}
              {endpoint.enabled ? (
                <Button size="sm" pending={busy === 'disable'} onClick={() => void run('disable', () => calls.setEnabled(endpoint.id, false), 'Endpoint disabled')}>
                  <Ban className="size-3.5" aria-hidden="true" /> Disable
                </Button>
              ) : (
                <Button size="sm" pending={busy === 'enable'} onClick={() => void run('enable', () => calls.setEnabled(endpoint.id, true), 'Endpoint enabled')}>
                  <Play className="size-3.5" aria-hidden="true" /> Enable
                </Button>
              )}
              {rotateSecret && onSecret && (
                <Button size="sm" pending={busy === 'rotate'} onClick={() => void run('rotate', async () => onSecret(await rotateSecret(endpoint.id)))}>
                  <RefreshCw className="size-3.5" aria-hidden="true" /> Rotate secret
                </Button>
              )}
              {remove && (
                <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => setDeleting(true)} aria-label={`Delete endpoint ${endpoint.url}`}>
                  <Trash2 className="size-3.5" aria-hidden="true" /> Delete
                </Button>
              )}
            </div>
          )
        }
      />
      <div className="border-b border-zinc-100 px-4 py-2 text-xs text-zinc-600">
        Events: {endpoint.eventTypes.map((t) => <code key={t} className="mr-1.5 rounded bg-zinc-100 px-1 py-0.5">{t}</code>)}
        {!endpoint.enabled && endpoint.disabledReason && <span className="mt-1 block text-red-700">{endpoint.disabledReason}</span>}
      </div>
      <DeliveryLog log={log} canWrite={canWrite && endpoint.enabled} retry={(id) => run(`retry-${id}`, () => calls.retry(id), 'Retry queued')} busy={busy} />
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title="Delete this endpoint?"
        description={<>Nothing more is sent to <code className="break-all text-xs">{endpoint.url}</code>, and its delivery log is deleted with it.</>}
        confirmLabel="Delete endpoint"
        onConfirm={async () => {
          await remove?.(endpoint.id);
          toast('Endpoint deleted');
          await onChanged();
        }}
      />
    </Card>
  );
}

/** The delivery log: event, status, response code, time and attempts, newest first. */
export function DeliveryLog({
  log,
  canWrite,
  retry,
  busy,
}: {
  log: { data: DeliveryPage | undefined; isPending: boolean; error: unknown; refetch: () => void; loadMore?: (() => void) | undefined };
  canWrite: boolean;
  retry: (id: string) => Promise<void>;
  busy: string | null;
}) {
  if (log.isPending) return <LoadingBlock rows={2} label="Loading deliveries" />;
  if (log.error) return <ErrorState message={errorMessage(log.error)} onRetry={log.refetch} />;
  const items = log.data?.items ?? [];
  if (items.length === 0) {
    return (
      <EmptyState title="No deliveries yet" icon={<Webhook className="size-5" aria-hidden="true" />}>
        Events this endpoint subscribes to, and test events, appear here.
      </EmptyState>
    );
  }
  return (
    <>
      <Table label="Deliveries">
        <THead>
          <tr>
            <Th>Event</Th>
            <Th>Status</Th>
            <Th className="text-right">Response</Th>
            <Th>Time</Th>
            <Th className="text-right">Attempts</Th>
            {canWrite && <Th className="text-right">Actions</Th>}
          </tr>
        </THead>
        <TBody>
          {items.map((d) => (
            <tr key={d.id} data-testid="delivery-row">
              <Td>
                <code className="text-xs">{d.eventType}</code>
                <div className="mt-0.5 font-mono text-[11px] text-zinc-500">{d.id}</div>
              </Td>
              <Td>
                <Badge tone={stateTone[d.state]}>{stateLabel[d.state]}</Badge>
                {d.lastError && <div className="mt-0.5 max-w-xs text-xs text-zinc-600">{d.lastError}</div>}
                {d.state === 'pending' && d.nextAttemptAt && <div className="mt-0.5 text-xs text-zinc-500">Next attempt {formatRelative(d.nextAttemptAt)}</div>}
              </Td>
              <Td className="text-right tabular-nums">{d.lastStatus ?? '—'}</Td>
              <Td title={formatDateTime(d.lastAttemptAt ?? d.createdAt)}>{formatRelative(d.lastAttemptAt ?? d.createdAt)}</Td>
              <Td className="text-right tabular-nums">{d.attempts}</Td>
              {canWrite && (
                <Td className="text-right">
                  {d.state !== 'delivered' && (
                    <Button size="sm" pending={busy === `retry-${d.id}`} onClick={() => void retry(d.id)} aria-label={`Retry delivery ${d.id} now`}>
                      <RotateCcw className="size-3.5" aria-hidden="true" /> Retry now
                    </Button>
                  )}
                </Td>
              )}
            </tr>
          ))}
        </TBody>
      </Table>
      {log.loadMore && (
        <div className="border-t border-zinc-100 px-4 py-2 text-right">
          <Button size="sm" variant="ghost" onClick={log.loadMore}>
            Older deliveries
          </Button>
        </div>
      )}
    </>
  );
}

/** The list's header button. */
export function AddEndpointButton({ onClick, disabled }: { onClick: () => void; disabled?: boolean }) {
  return (
    <Button variant="primary" size="sm" onClick={onClick} disabled={disabled}>
      <Plus className="size-4" aria-hidden="true" /> Add endpoint
    </Button>
  );
}

/**
 * A whole Webhooks screen: the header with "Add endpoint", the endpoints (each
 * drawn by `renderEndpoint`, which fetches its own delivery log), the add dialog
 * and the secret shown once. The two apps differ only in their calls and words.
 */
export function WebhooksScreen({
  description,
  listTitle,
  emptyText,
  urlHint,
  endpoints,
  canWrite,
  create,
  onChanged,
  renderEndpoint,
}: {
  description: string;
  listTitle: string;
  emptyText: string;
  urlHint: string;
  endpoints: { data: WebhookEndpointView[] | undefined; isPending: boolean; error: unknown; refetch: () => void };
  canWrite: boolean;
  create: CreateEndpoint;
  onChanged: () => Promise<void>;
  renderEndpoint: (endpoint: WebhookEndpointView, onSecret: (created: CreatedEndpoint) => void) => ReactNode;
}) {
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<CreatedEndpoint | null>(null);
  return (
    <>
      <PageHeader title="Webhooks" description={description} actions={canWrite && <AddEndpointButton onClick={() => setAdding(true)} />} />
      {endpoints.isPending ? (
        <LoadingBlock rows={3} label="Loading endpoints" />
      ) : endpoints.error || !endpoints.data ? (
        <ErrorState message={errorMessage(endpoints.error)} onRetry={endpoints.refetch} />
      ) : endpoints.data.length === 0 ? (
        <Card aria-labelledby="webhooks-empty">
          <CardHeader id="webhooks-empty" title={listTitle} />
          <EmptyState title="No endpoints yet" icon={<Webhook className="size-5" aria-hidden="true" />}>
            {emptyText}
          </EmptyState>
        </Card>
      ) : (
        <div className="space-y-4">{endpoints.data.map((e) => <div key={e.id}>{renderEndpoint(e, setSecret)}</div>)}</div>
      )}
      <CreateEndpointDialog
        open={adding}
        onOpenChange={setAdding}
        create={create}
        urlHint={urlHint}
        onCreated={(created) => {
          setAdding(false);
          setSecret(created);
          void onChanged();
        }}
      />
      <RevealSecretDialog created={secret} onClose={() => setSecret(null)} />
    </>
  );
}
