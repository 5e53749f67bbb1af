import { AlertTriangle, FlaskConical, RefreshCw, Trash2 } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { createKeySchema, MAX_ROTATION_GRACE_SECONDS, type CreatedKey, type KeySummary, type RotatedKey } from '../../shared/keys.ts';
import { Button } from './components/button.tsx';
import { Badge } from './components/card.tsx';
import { CopyButton } from './components/copy.tsx';
import { ConfirmDialog, Dialog, DialogFooter } from './components/dialog.tsx';
import { Alert } from './components/feedback.tsx';
import { Field, Input } from './components/field.tsx';
import { TBody, THead, Table, Td, Th } from './components/table.tsx';
import { errorMessage } from './lib/errors.ts';
import { useDialogForm } from './lib/forms.ts';
import { formatDate, formatDateTime, formatGrace, formatNumber, formatRelative } from './lib/format.ts';
import { toast } from './lib/toast.ts';

/**
 * API keys as both apps show them: the table, and the dialogs that create,
 * rotate, reveal and revoke a key. Each app passes its own calls (the admin's
 * `admin.keys.*` for any user, the portal's `portal.keys.*` for the customer's
 * own), so the screens behave the same in both.
 */

export const GRACE_CHOICES = [0, 300, 3600, MAX_ROTATION_GRACE_SECONDS] as const;

const statusTone = { active: 'green', expired: 'amber', revoked: 'neutral' } as const;

/** A key just created or rotated, to show once; `note` says what happened to the old one. */
export interface RevealedKey {
  key: CreatedKey;
  note?: string | undefined;
}

/** The sentence under a rotated key: what happens to the one it replaces. */
export function rotationNote(graceSeconds: number): string {
  return graceSeconds === 0 ? 'The old key has stopped working.' : `The old key keeps working for ${formatGrace(graceSeconds).toLowerCase()}, then stops.`;
}

/** The keys: masked id, status, last use and usage count, with rotate and revoke for active ones. */
export function KeyTable({
  keys,
  canWrite,
  onRotate,
  onRevoke,
  inactiveAction,
}: {
  keys: KeySummary[];
  canWrite: boolean;
  onRotate: (key: KeySummary) => void;
  onRevoke: (key: KeySummary) => void;
  /** What the actions column shows for a revoked or expired key (the admin app links to its history). */
  inactiveAction?: (key: KeySummary) => ReactNode;
}) {
  return (
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
        {keys.map((k) => (
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
                      <Button size="sm" onClick={() => onRotate(k)} aria-label={`Rotate key ${k.name}`}>
                        <RefreshCw className="size-3.5" aria-hidden="true" /> Rotate
                      </Button>
                    )}
                    <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => onRevoke(k)} aria-label={`Revoke key ${k.name}`}>
                      <Trash2 className="size-3.5" aria-hidden="true" /> Revoke
                    </Button>
                  </div>
                ) : (
                  inactiveAction?.(k)
                )}
              </Td>
            )}
          </tr>
        ))}
      </TBody>
    </Table>
  );
}

interface CreateValues {
  name: string;
  expiresOn: string;
}

/** Names a new key and, optionally, the day it expires; `create` makes it (for whichever user the app means). */
export function CreateKeyDialog({
  open,
  onOpenChange,
  create,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  create: (input: { name: string; expiresAt?: string | undefined }) => Promise<CreatedKey>;
  onCreated: (key: CreatedKey) => void;
}) {
  const { form, formError, close, submitting } = useDialogForm(createKeySchema, {
    // A date picked in the form means "until the end of that day, UTC".
    toInput: (v: CreateValues) => ({ name: v.name, ...(v.expiresOn ? { expiresAt: `${v.expiresOn}T23:59:59Z` } : {}) }),
    fieldFor: (path) => (path === 'expiresAt' ? 'expiresOn' : path),
    defaultValues: { name: '', expiresOn: '' },
    fields: ['name', 'expiresOn'],
    onOpenChange,
  });
  const submit = submitting(async (input) => {
    const key = await create({ name: input.name, expiresAt: input.expiresAt });
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

/** Replaces a key with a new one, the old one working on for the chosen grace period. */
export function RotateKeyDialog({
  apiKey,
  onOpenChange,
  rotate,
  onRotated,
}: {
  apiKey: KeySummary | null;
  onOpenChange: (open: boolean) => void;
  rotate: (input: { id: string; gracePeriodSeconds: number }) => Promise<RotatedKey>;
  onRotated: (key: CreatedKey, grace: number) => void;
}) {
  const [grace, setGrace] = useState<number>(0);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
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
    setPending(true);
    try {
      const result = await rotate({ id: apiKey.id, gracePeriodSeconds: grace });
      setGrace(0);
      onRotated(result.key, grace);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPending(false);
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
        <Button variant="primary" pending={pending} onClick={() => void run()}>
          Rotate key
        </Button>
      </DialogFooter>
    </Dialog>
  );
}

/**
 * The one moment the plaintext key exists in the browser. It can be copied, or
 * handed to the playground in memory (`onTry`); closing the dialog forgets it.
 */
export function RevealKeyDialog({ revealed, onClose, onTry }: { revealed: RevealedKey | null; onClose: () => void; onTry?: (key: CreatedKey) => void }) {
  return (
    <Dialog open={revealed !== null} onOpenChange={(open) => !open && onClose()} title={`Your new key: “${revealed?.key.name ?? ''}”`} description="Copy it now and store it somewhere safe.">
      {revealed && (
        <div className="space-y-4">
          <ShownOnce secret={revealed.key.key} label="API key" id="revealed-key" ifLost="rotate or revoke it and create a new one" />
          {revealed.note && <p className="text-sm text-zinc-600">{revealed.note}</p>}
          <DialogFooter>
            {onTry && (
              <Button
                onClick={() => {
                  onClose();
                  onTry(revealed.key);
                }}
              >
                <FlaskConical className="size-4" aria-hidden="true" /> Try it in the playground
              </Button>
            )}
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
