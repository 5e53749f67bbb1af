import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { AlertTriangle, FlaskConical, KeyRound, Plus, RefreshCw, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { adminCreateKeySchema } from '../../../shared/admin.ts';
import { MAX_ROTATION_GRACE_SECONDS, type CreatedKey, type KeySummary } from '../../../shared/keys.ts';
import { Button } from '../components/ui/button.tsx';
import { Badge, Card, CardHeader } from '../components/ui/card.tsx';
import { CopyButton } from '../components/ui/copy.tsx';
import { ConfirmDialog, Dialog, DialogFooter } from '../components/ui/dialog.tsx';
import { Alert, EmptyState, ErrorState, LoadingBlock } from '../components/ui/feedback.tsx';
import { Field, Input } from '../components/ui/field.tsx';
import { TBody, THead, Table, Td, Th } from '../components/ui/table.tsx';
import { errorMessage } from '../lib/errors.ts';
import { useDialogForm } from '../lib/forms.ts';
import { formatDate, formatDateTime, formatGrace, formatNumber, formatRelative } from '../lib/format.ts';
import { stashKey } from '../lib/handoff.ts';
import { toast } from '../lib/toast.ts';
import { trpc } from '../lib/trpc.ts';
import { useInvalidate } from '../lib/invalidation.ts';


export const GRACE_CHOICES = [0, 300, 3600, MAX_ROTATION_GRACE_SECONDS] as const;

const statusTone = { active: 'green', expired: 'amber', revoked: 'neutral' } as const;

/** A user's keys: masked id, status, last use and usage count; create, rotate and revoke. */
export function KeysPanel({ userId, canWrite, title = 'API keys' }: { userId: string; canWrite: boolean; title?: string }) {
  const keys = useQuery(trpc.admin.keys.list.queryOptions({ userId }));
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<{ key: CreatedKey; note?: string } | null>(null);
  const [revoking, setRevoking] = useState<KeySummary | null>(null);
  const [rotating, setRotating] = useState<KeySummary | null>(null);
  const revoke = useMutation(trpc.admin.keys.revoke.mutationOptions());
  const invalidateAfter = useInvalidate();
  const invalidate = () => invalidateAfter('keys');

  const active = keys.data?.filter((k) => k.status === 'active').length ?? 0;
  return (
    <Card aria-labelledby="keys-heading">
      <CardHeader
        id="keys-heading"
        title={title}
        description={keys.data ? `${active} active of ${keys.data.length}. Keys are shown once, when created; Harmonic keeps only a hash.` : 'Keys are shown once, when created.'}
        actions={
          canWrite && (
            <Button variant="primary" size="sm" onClick={() => setCreating(true)}>
              <Plus className="size-4" aria-hidden="true" /> New key
            </Button>
          )
        }
      />
      {keys.isPending ? (
        <LoadingBlock rows={3} label="Loading keys" />
      ) : keys.isError ? (
        <ErrorState message={errorMessage(keys.error)} onRetry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <EmptyState title="No keys yet" icon={<KeyRound className="size-5" aria-hidden="true" />} action={canWrite && <Button variant="primary" onClick={() => setCreating(true)}>New key</Button>}>
          A key lets this user call the API within their quota.
        </EmptyState>
      ) : (
        <Table label="API keys">
          <THead>
            <tr>
              <Th>Key</Th>
              <Th>Status</Th>
              <Th>Last used</Th>
              <Th className="text-right">Uses</Th>
              <Th>Expires</Th>
              {canWrite && <Th className="text-right">Actions</Th>}
            </tr>
          </THead>
          <TBody>
            {keys.data.map((k) => (
              <tr key={k.id} className={k.status === 'active' ? undefined : 'text-zinc-500'}>
                <Td>
                  <div className="font-medium text-zinc-900">{k.name}</div>
                  <div className="mt-0.5 flex items-center gap-2 text-xs text-zinc-500">
                    <code className="rounded bg-zinc-100 px-1.5 py-0.5 text-zinc-700">{k.masked}</code>
                    <span title={formatDateTime(k.createdAt)}>created {formatDate(k.createdAt)}</span>
                  </div>
                </Td>
                <Td>
                  <Badge tone={statusTone[k.status]} className="capitalize">
                    {k.status}
                  </Badge>
                  {k.replacedById && k.status === 'active' && (
                    <Badge tone="amber" className="ml-1">
                      Rotated
                    </Badge>
                  )}
                </Td>
                <Td title={formatDateTime(k.lastUsedAt)}>{formatRelative(k.lastUsedAt)}</Td>
                <Td className="text-right tabular-nums">{formatNumber(k.usageCount)}</Td>
                <Td title={formatDateTime(k.expiresAt)}>{k.expiresAt ? formatDate(k.expiresAt) : 'Never'}</Td>
                {canWrite && (
                  <Td className="text-right">
                    {k.status === 'active' ? (
                      <div className="flex justify-end gap-1.5">
                        {/* A key in its grace period is already rotated; the server refuses a second rotation (409). */}
                        {!k.replacedById && (
                          <Button size="sm" onClick={() => setRotating(k)} aria-label={`Rotate key ${k.name}`}>
                            <RefreshCw className="size-3.5" aria-hidden="true" /> Rotate
                          </Button>
                        )}
                        <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => setRevoking(k)} aria-label={`Revoke key ${k.name}`}>
                          <Trash2 className="size-3.5" aria-hidden="true" /> Revoke
                        </Button>
                      </div>
                    ) : (
                      <Link to="/audit" search={{ targetId: k.id }} className="text-xs font-medium text-brand-600 hover:underline">
                        History
                      </Link>
                    )}
                  </Td>
                )}
              </tr>
            ))}
          </TBody>
        </Table>
      )}

      <CreateKeyDialog
        userId={userId}
        open={creating}
        onOpenChange={setCreating}
        onCreated={(key) => {
          setCreating(false);
          setRevealed({ key });
          void invalidate();
        }}
      />
      <RotateKeyDialog
        apiKey={rotating}
        onOpenChange={(open) => !open && setRotating(null)}
        onRotated={(key, grace) => {
          setRotating(null);
          setRevealed({ key, note: grace === 0 ? 'The old key has stopped working.' : `The old key keeps working for ${formatGrace(grace).toLowerCase()}, then stops.` });
          void invalidate();
        }}
      />
      <RevealKeyDialog revealed={revealed} onClose={() => setRevealed(null)} />
      <RevokeKeyConfirm
        revoking={revoking}
        onClose={() => setRevoking(null)}
        onConfirm={async (key) => {
          await revoke.mutateAsync({ id: key.id });
          await invalidate();
        }}
      />
    </Card>
  );
}

interface CreateValues {
  name: string;
  expiresOn: string;
}

function CreateKeyDialog({ userId, open, onOpenChange, onCreated }: { userId: string; open: boolean; onOpenChange: (open: boolean) => void; onCreated: (key: CreatedKey) => void }) {
  const { form, formError, close, submitting } = useDialogForm(adminCreateKeySchema, {
    // A date picked in the form means "until the end of that day, UTC".
    toInput: (v: CreateValues) => ({ userId, name: v.name, ...(v.expiresOn ? { expiresAt: `${v.expiresOn}T23:59:59Z` } : {}) }),
    fieldFor: (path) => (path === 'expiresAt' ? 'expiresOn' : path),
    defaultValues: { name: '', expiresOn: '' },
    fields: ['name', 'expiresOn'],
    onOpenChange,
  });
  const create = useMutation(trpc.admin.keys.create.mutationOptions());
  const submit = submitting(async (input) => {
    const key = await create.mutateAsync(input);
    form.reset();
    onCreated(key);
  });
  const { errors } = form.formState;
  return (
    <Dialog open={open} onOpenChange={close} title="New API key" description="The key is shown once, right after it is created.">
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Name" error={errors.name?.message} hint="What it is for, e.g. “production” or “CI”.">
          {(p) => <Input {...p} autoComplete="off" {...form.register('name')} />}
        </Field>
        <Field label="Expires on" optional error={errors.expiresOn?.message} hint="The key stops working at the end of this day (UTC). Leave empty for a key that does not expire.">
          {(p) => <Input {...p} type="date" {...form.register('expiresOn')} />}
        </Field>
        <DialogFooter>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={form.formState.isSubmitting}>
            Create key
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

function RotateKeyDialog({ apiKey, onOpenChange, onRotated }: { apiKey: KeySummary | null; onOpenChange: (open: boolean) => void; onRotated: (key: CreatedKey, grace: number) => void }) {
  const [grace, setGrace] = useState<number>(0);
  const [error, setError] = useState<string | null>(null);
  const rotate = useMutation(trpc.admin.keys.rotate.mutationOptions());
  const close = (open: boolean) => {
    if (!open) {
      setGrace(0);
      setError(null);
    }
    onOpenChange(open);
  };
  const run = async () => {
    if (!apiKey) return;
    setError(null);
    try {
      const result = await rotate.mutateAsync({ id: apiKey.id, gracePeriodSeconds: grace });
      setGrace(0);
      onRotated(result.key, grace);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <Dialog open={apiKey !== null} onOpenChange={close} title={`Rotate “${apiKey?.name ?? ''}”`} description="A new key replaces this one. Choose how long the old key keeps working, so apps can switch over.">
      <fieldset className="space-y-2">
        <legend className="mb-2 text-sm font-medium text-zinc-800">The old key stops working</legend>
        {GRACE_CHOICES.map((seconds) => (
          <label key={seconds} className="flex cursor-pointer items-center gap-3 rounded-lg border border-zinc-200 px-3 py-2.5 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50">
            <input type="radio" name="grace" value={seconds} checked={grace === seconds} onChange={() => setGrace(seconds)} className="accent-brand-600" />
            <span className="font-medium">{seconds === 0 ? 'Immediately' : `After ${formatGrace(seconds).toLowerCase()}`}</span>
          </label>
        ))}
      </fieldset>
      {error && <Alert className="mt-4">{error}</Alert>}
      <DialogFooter>
        <Button onClick={() => close(false)}>Cancel</Button>
        <Button variant="primary" pending={rotate.isPending} onClick={() => void run()}>
          Rotate key
        </Button>
      </DialogFooter>
    </Dialog>
  );
}

/**
 * The one moment the plaintext key exists in the browser. It can be copied, or
 * handed to the playground in memory; closing the dialog forgets it.
 */
export function RevealKeyDialog({ revealed, onClose }: { revealed: { key: CreatedKey; note?: string | undefined } | null; onClose: () => void }) {
  const navigate = useNavigate();
  return (
    <Dialog open={revealed !== null} onOpenChange={(open) => !open && onClose()} title={`Your new key: “${revealed?.key.name ?? ''}”`} description="Copy it now and store it somewhere safe.">
      {revealed && (
        <div className="space-y-4">
          <ShownOnce secret={revealed.key.key} label="API key" id="revealed-key" ifLost="rotate or revoke it and create a new one" />
          {revealed.note && <p className="text-sm text-zinc-600">{revealed.note}</p>}
          <DialogFooter>
            <Button
              onClick={() => {
                const handoff = stashKey(revealed.key.key);
                onClose();
                void navigate({ to: '/playground', search: { mode: 'key' }, state: { keyHandoff: handoff } });
              }}
            >
              <FlaskConical className="size-4" aria-hidden="true" /> Try it in the playground
            </Button>
            <Button variant="primary" onClick={onClose}>
              I have copied it
            </Button>
          </DialogFooter>
        </div>
      )}
    </Dialog>
  );
}

/** The plaintext of a key just created, with the warning that it is shown this once. */
export function ShownOnce({ secret, label, id, ifLost }: { secret: string; label: string; id: string; ifLost: string }) {
  return (
    <>
      <Alert tone="warn">
        <span className="flex items-start gap-2">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>
            <strong>You will not see this key again.</strong> Harmonic keeps only a hash of it. If it is lost, {ifLost}.
          </span>
        </span>
      </Alert>
      <div className="flex flex-col gap-2 sm:flex-row">
        <label htmlFor={id} className="sr-only">
          {label}
        </label>
        <Input id={id} readOnly value={secret} className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} data-testid={id} />
        <CopyButton text={secret} label="Copy key" size="md" />
      </div>
    </>
  );
}

/** Asks before revoking an API key or a management key: it stops at once, everywhere. */
export function RevokeKeyConfirm<K extends { id: string; name: string; masked: string }>({
  revoking,
  onClose,
  onConfirm,
}: {
  revoking: K | null;
  onClose: () => void;
  onConfirm: (key: K) => Promise<void>;
}) {
  return (
    <ConfirmDialog
      open={revoking !== null}
      onOpenChange={(open) => !open && onClose()}
      title={`Revoke “${revoking?.name ?? ''}”?`}
      description={
        <>
          Key <code className="rounded bg-zinc-100 px-1 text-xs">{revoking?.masked}</code> stops working at once, on every server: calls with it get 401. This cannot be undone.
        </>
      }
      confirmLabel="Revoke key"
      onConfirm={async () => {
        if (!revoking) return;
        await onConfirm(revoking);
        toast(`Revoked ${revoking.masked}`);
      }}
    />
  );
}
