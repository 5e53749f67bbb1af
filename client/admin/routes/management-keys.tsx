import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { Plus, TerminalSquare, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { createManagementKeySchema, MANAGEMENT_SCOPES, SCOPE_HELP, type CreatedManagementKey, type ManagementScope } from '../../../shared/management.ts';
import { Button } from '../../ui/components/button.tsx';
import { Badge, Card, PageHeader } from '../../ui/components/card.tsx';
import { Dialog, DialogFooter } from '../../ui/components/dialog.tsx';
import { Alert, EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { Checkbox, Field, Input } from '../../ui/components/field.tsx';
import { TBody, THead, Table, Td, Th } from '../../ui/components/table.tsx';
import { RevokeKeyConfirm, ShownOnce } from '../../ui/keys.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { useDialogForm } from '../../ui/lib/forms.ts';
import { formatDate, formatRelative } from '../../ui/lib/format.ts';
import { trpc, type RouterOutputs } from '../lib/trpc.ts';
import { useInvalidate } from '../lib/invalidation.ts';
import { Glossary } from '../components/ui/glossary.tsx';

export const Route = createLazyRoute('/_app/management-keys')({ component: ManagementKeysPage });

type ManagementKey = RouterOutputs['admin']['managementKeys']['list'][number];

function ManagementKeysPage() {
  const invalidate = useInvalidate();
  const keys = useQuery(trpc.admin.managementKeys.list.queryOptions());
  const revoke = useMutation(trpc.admin.managementKeys.revoke.mutationOptions());
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<CreatedManagementKey | null>(null);
  const [revoking, setRevoking] = useState<ManagementKey | null>(null);
  const refresh = () => invalidate('managementKeys');

  return (
    <>
      <PageHeader
        title="Management keys"
        description="Keys for your own scripts: they call /api/v1 for any user (create users and keys, read usage), within their scopes. Only owners see this screen."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            <Plus className="size-4" aria-hidden="true" /> New management key
          </Button>
        }
      />
      <Card>
        {keys.isPending ? (
          <LoadingBlock rows={3} label="Loading management keys" />
        ) : keys.isError ? (
          <ErrorState message={errorMessage(keys.error)} onRetry={() => void keys.refetch()} />
        ) : keys.data.length === 0 ? (
          <EmptyState title="No management keys" icon={<TerminalSquare className="size-5" aria-hidden="true" />}>
            Create one for a script that manages users and their keys over HTTP.
          </EmptyState>
        ) : (
          <Table label="Management keys">
            <THead>
              <tr>
                <Th>Key</Th>
                <Th>Scopes</Th>
                <Th>Last used</Th>
                <Th>Created</Th>
                <Th className="text-right">Actions</Th>
              </tr>
            </THead>
            <TBody>
              {keys.data.map((k) => (
                <tr key={k.id}>
                  <Td>
                    <div className="font-medium text-zinc-900">
                      {k.name}
                      {k.status === 'revoked' && (
                        <Badge tone="red" className="ml-2">
                          Revoked
                        </Badge>
                      )}
                    </div>
                    <code className="text-xs text-zinc-500">{k.masked}</code>
                  </Td>
                  <Td>
                    <div className="flex flex-wrap gap-1">
                      {k.scopes.map((s) => (
                        <Badge key={s} tone="brand">
                          {s}
                        </Badge>
                      ))}
                    </div>
                  </Td>
                  <Td title={k.lastUsedAt ?? undefined}>{formatRelative(k.lastUsedAt)}</Td>
                  <Td>
                    <div>{formatDate(k.createdAt)}</div>
                    <div className="text-xs text-zinc-500">by {k.createdBy}</div>
                  </Td>
                  <Td className="text-right">
                    {k.status === 'active' && (
                      <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => setRevoking(k)} aria-label={`Revoke management key ${k.name}`}>
                        <Trash2 className="size-3.5" aria-hidden="true" /> Revoke
                      </Button>
                    )}
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      <Glossary columns={2} termClassName="font-mono text-xs" entries={MANAGEMENT_SCOPES.map((s) => ({ term: s, help: SCOPE_HELP[s] }))} />
      <CreateManagementKeyDialog
        open={creating}
        onOpenChange={setCreating}
        onCreated={(key) => {
          void refresh();
          setCreating(false);
          setRevealed(key);
        }}
      />
      <Dialog open={revealed !== null} onOpenChange={(open) => !open && setRevealed(null)} title={`Your new management key: “${revealed?.name ?? ''}”`} description="Copy it now and store it where your script reads its secrets.">
        {revealed && (
          <div className="space-y-4">
            <ShownOnce secret={revealed.key} label="Management key" id="revealed-management-key" ifLost="revoke it and create a new one" />
            <p className="text-sm text-zinc-600">
              Send it as <code className="rounded bg-zinc-100 px-1 text-xs">X-API-Key</code> and name the user with <code className="rounded bg-zinc-100 px-1 text-xs">userId</code>, e.g.{' '}
              <code className="rounded bg-zinc-100 px-1 text-xs">GET /api/v1/usage?action=current&amp;userId=ada@example.com</code>.
            </p>
            <DialogFooter>
              <Button variant="primary" onClick={() => setRevealed(null)}>
                I have copied it
              </Button>
            </DialogFooter>
          </div>
        )}
      </Dialog>
      <RevokeKeyConfirm
        revoking={revoking}
        onClose={() => setRevoking(null)}
        onConfirm={async (key) => {
          await revoke.mutateAsync({ id: key.id });
          await refresh();
        }}
      />
    </>
  );
}

interface Values {
  name: string;
  scopes: ManagementScope[];
}

function CreateManagementKeyDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange: (open: boolean) => void; onCreated: (key: CreatedManagementKey) => void }) {
  const { form, formError, close, submitting } = useDialogForm(createManagementKeySchema, {
    // A group of checkboxes with one name holds the checked values (or false when react-hook-form has none yet).
    toInput: (v: Values) => ({ name: v.name, scopes: Array.isArray(v.scopes) ? v.scopes : [] }),
    fieldFor: (path) => (path.startsWith('scopes') ? 'scopes' : path),
    defaultValues: { name: '', scopes: [] },
    fields: ['name', 'scopes'],
    onOpenChange,
  });
  const create = useMutation(trpc.admin.managementKeys.create.mutationOptions());
  const submit = submitting(async (input) => {
    const key = await create.mutateAsync(input);
    form.reset();
    onCreated(key);
  });
  const { errors } = form.formState;
  return (
    <Dialog open={open} onOpenChange={close} title="New management key" description="The key is shown once, right after it is created.">
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Name" error={errors.name?.message} hint="What it is for, e.g. “billing sync” or “signup service”.">
          {(p) => <Input {...p} autoComplete="off" {...form.register('name')} />}
        </Field>
        <fieldset className="space-y-2" aria-describedby={errors.scopes ? 'scopes-error' : undefined}>
          <legend className="mb-1 text-sm font-medium text-zinc-800">Scopes</legend>
          {MANAGEMENT_SCOPES.map((s) => (
            <div key={s}>
              <Checkbox label={<span className="font-mono text-xs">{s}</span>} value={s} {...form.register('scopes')} />
              <p className="ml-6 text-xs text-zinc-500">{SCOPE_HELP[s]}</p>
            </div>
          ))}
          {errors.scopes?.message && (
            <p id="scopes-error" className="text-xs text-red-700">
              {errors.scopes.message}
            </p>
          )}
        </fieldset>
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
