import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { Plus, ShieldCheck, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { ADMIN_ROLES, createAdminSchema, type AdminRole, type AdminView } from '../../../shared/admin.ts';
import { Button } from '../../ui/components/button.tsx';
import { Badge, Card, PageHeader } from '../../ui/components/card.tsx';
import { CopyButton } from '../../ui/components/copy.tsx';
import { ConfirmDialog, Dialog, DialogFooter } from '../../ui/components/dialog.tsx';
import { Alert, EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { Field, Input, Select } from '../../ui/components/field.tsx';
import { TBody, THead, Table, Td, Th } from '../../ui/components/table.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { useDialogForm } from '../../ui/lib/forms.ts';
import { formatDate, formatRelative } from '../../ui/lib/format.ts';
import { useMe } from '../lib/session.ts';
import { toast } from '../../ui/lib/toast.ts';
import { trpc } from '../lib/trpc.ts';
import { useInvalidate } from '../lib/invalidation.ts';
import { Glossary } from '../components/ui/glossary.tsx';

export const Route = createLazyRoute('/_app/admins')({ component: AdminsPage });

type Account = AdminView;

const ROLE_HELP: Record<AdminRole, string> = {
  owner: 'Everything, including admin accounts',
  admin: 'Everything except admin accounts',
  viewer: 'Read-only',
};

function AdminsPage() {
  const me = useMe();
  const accounts = useQuery(trpc.admin.accounts.list.queryOptions());
  const update = useMutation(trpc.admin.accounts.update.mutationOptions());
  const remove = useMutation(trpc.admin.accounts.delete.mutationOptions());
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const [deleting, setDeleting] = useState<Account | null>(null);
  const invalidate = useInvalidate();
  const refresh = () => invalidate('accounts');

  const changeRole = async (a: Account, role: AdminRole) => {
    try {
      await update.mutateAsync({ id: a.id, role });
      await refresh();
      toast(`${a.email} is now ${role === 'admin' ? 'an admin' : `a ${role}`}`);
    } catch (err) {
      toast('Could not change the role', { tone: 'error', description: errorMessage(err) });
      await refresh();
    }
  };

  return (
    <>
      <PageHeader
        title="Admins"
        description="Who can sign in to this app, and what they may do. Only owners see this screen."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            <Plus className="size-4" aria-hidden="true" /> New admin
          </Button>
        }
      />
      <Card>
        {accounts.isPending ? (
          <LoadingBlock rows={3} label="Loading admins" />
        ) : accounts.isError ? (
          <ErrorState message={errorMessage(accounts.error)} onRetry={() => void accounts.refetch()} />
        ) : accounts.data.length === 0 ? (
          <EmptyState title="No admins" icon={<ShieldCheck className="size-5" aria-hidden="true" />} />
        ) : (
          <Table label="Admin accounts">
            <THead>
              <tr>
                <Th>Admin</Th>
                <Th>Role</Th>
                <Th>Last sign-in</Th>
                <Th>Created</Th>
                <Th className="text-right">Actions</Th>
              </tr>
            </THead>
            <TBody>
              {accounts.data.map((a) => (
                <tr key={a.id}>
                  <Td>
                    <div className="font-medium text-zinc-900">
                      {a.email}
                      {a.id === me?.admin.id && (
                        <Badge tone="brand" className="ml-2">
                          You
                        </Badge>
                      )}
                    </div>
                    {a.name && <div className="text-xs text-zinc-500">{a.name}</div>}
                  </Td>
                  <Td>
                    <Select aria-label={`Role of ${a.email}`} value={a.role} onChange={(e) => void changeRole(a, e.target.value as AdminRole)} className="w-32" disabled={update.isPending}>
                      {ADMIN_ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </Select>
                  </Td>
                  <Td title={a.lastSignInAt ?? undefined}>{formatRelative(a.lastSignInAt)}</Td>
                  <Td>{formatDate(a.createdAt)}</Td>
                  <Td className="text-right">
                    <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => setDeleting(a)} disabled={a.id === me?.admin.id} aria-label={`Delete admin ${a.email}`}>
                      <Trash2 className="size-3.5" aria-hidden="true" /> Delete
                    </Button>
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      <Glossary columns={3} termClassName="capitalize" entries={ADMIN_ROLES.map((r) => ({ term: r, help: ROLE_HELP[r] }))} />
      <CreateAdminDialog
        open={creating}
        onOpenChange={setCreating}
        onCreated={(email, password) => {
          void refresh();
          setCreating(false);
          if (password) setCreated({ email, password });
          else toast(`Created ${email}`);
        }}
      />
      <Dialog open={created !== null} onOpenChange={(open) => !open && setCreated(null)} title={`Password for ${created?.email ?? ''}`} description="Generated now. Give it to them over a safe channel; they can change it after signing in.">
        {created && (
          <div className="space-y-4">
            <Alert tone="warn">You will not see this password again.</Alert>
            <div className="flex gap-2">
              <Input readOnly value={created.password} aria-label="Generated password" className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
              <CopyButton text={created.password} size="md" />
            </div>
            <DialogFooter>
              <Button variant="primary" onClick={() => setCreated(null)}>
                Done
              </Button>
            </DialogFooter>
          </div>
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete ${deleting?.email ?? ''}?`}
        description="Their sessions end at once and they can no longer sign in. Their past actions stay in the audit log."
        confirmLabel="Delete admin"
        onConfirm={async () => {
          if (!deleting) return;
          await remove.mutateAsync({ id: deleting.id });
          await refresh();
          toast(`Deleted ${deleting.email}`);
        }}
      />
    </>
  );
}

interface Values {
  email: string;
  name: string;
  role: AdminRole;
  password: string;
}

function CreateAdminDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange: (open: boolean) => void; onCreated: (email: string, password: string | undefined) => void }) {
  const { form, formError, close, submitting } = useDialogForm(createAdminSchema, {
    toInput: (v: Values) => ({ email: v.email, role: v.role, ...(v.name.trim() ? { name: v.name } : {}), ...(v.password ? { password: v.password } : {}) }),
    defaultValues: { email: '', name: '', role: 'viewer', password: '' },
    fields: ['email', 'name', 'role', 'password'],
    onOpenChange,
  });
  const create = useMutation(trpc.admin.accounts.create.mutationOptions());
  const submit = submitting(async (input) => {
    const result = await create.mutateAsync(input);
    form.reset();
    onCreated(result.account.email, result.generatedPassword);
  });
  const { errors } = form.formState;
  return (
    <Dialog open={open} onOpenChange={close} title="New admin" description="They sign in with their email and a password.">
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Email" error={errors.email?.message}>
          {(p) => <Input {...p} type="email" autoComplete="off" {...form.register('email')} />}
        </Field>
        <Field label="Name" optional error={errors.name?.message}>
          {(p) => <Input {...p} autoComplete="off" {...form.register('name')} />}
        </Field>
        <Field label="Role" error={errors.role?.message}>
          {(p) => (
            <Select {...p} {...form.register('role')}>
              {ADMIN_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r} — {ROLE_HELP[r]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Password" optional error={errors.password?.message} hint="Leave empty to generate a strong one, shown once.">
          {(p) => <Input {...p} type="password" autoComplete="new-password" {...form.register('password')} />}
        </Field>
        <DialogFooter>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={form.formState.isSubmitting}>
            Create admin
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
