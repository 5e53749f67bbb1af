import { useMutation, useQuery } from '@tanstack/react-query';
import { adminCreateUserSchema, updateUserSchema, type TierView, type UserView } from '../../../shared/admin.ts';
import { Button } from '../../ui/components/button.tsx';
import { Dialog, DialogFooter } from '../../ui/components/dialog.tsx';
import { Alert } from '../../ui/components/feedback.tsx';
import { Field, Input, Select } from '../../ui/components/field.tsx';
import { useDialogForm } from '../../ui/lib/forms.ts';
import { formatPrice, formatQuota } from '../../ui/lib/format.ts';
import { toast } from '../../ui/lib/toast.ts';
import { trpc } from '../lib/trpc.ts';
import { useInvalidate } from '../lib/invalidation.ts';

export type { UserView };

export const tierLabel = (t: TierView) => `${t.name} · ${formatQuota(t.monthlyQuota)}/month · ${formatPrice(t.priceCents)}`;

interface CreateValues {
  email: string;
  name: string;
  tierId: string;
}

/** Creates a user; the tier defaults to the default tier. */
export function CreateUserDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange: (open: boolean) => void; onCreated: (user: UserView) => void }) {
  const invalidate = useInvalidate();
  const tiers = useQuery({ ...trpc.admin.tiers.list.queryOptions(), enabled: open });
  const { form, formError, close, submitting } = useDialogForm(adminCreateUserSchema, {
    toInput: (v: CreateValues) => ({ email: v.email, name: v.name, tierId: v.tierId || undefined }),
    defaultValues: { email: '', name: '', tierId: '' },
    fields: ['email', 'name', 'tierId'],
    onOpenChange,
  });
  const create = useMutation(trpc.admin.users.create.mutationOptions());
  const submit = submitting(async (input) => {
    const user = await create.mutateAsync(input);
    await invalidate('users');
    toast(`Created ${user.email}`);
    close(false);
    onCreated(user);
  });
  const { errors } = form.formState;
  return (
    <Dialog open={open} onOpenChange={close} title="New user" description="A customer who can be given API keys. Their quota comes from their tier.">
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Email" error={errors.email?.message}>
          {(p) => <Input {...p} type="email" autoComplete="off" {...form.register('email')} />}
        </Field>
        <Field label="Name" error={errors.name?.message}>
          {(p) => <Input {...p} autoComplete="off" {...form.register('name')} />}
        </Field>
        <Field label="Tier" error={errors.tierId?.message}>
          {(p) => (
            <Select {...p} {...form.register('tierId')} disabled={!tiers.data}>
              <option value="">Default tier{tiers.data ? ` (${tiers.data.find((t) => t.isDefault)?.name ?? '—'})` : ''}</option>
              {tiers.data?.map((t) => (
                <option key={t.id} value={t.id}>
                  {tierLabel(t)}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <DialogFooter>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={form.formState.isSubmitting}>
            Create user
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

interface EditValues {
  email: string;
  name: string;
  tierId: string;
}

/** Edits a user's name, email and tier (a tier change applies from the very next request). */
export function EditUserDialog({ user, open, onOpenChange, focus = 'name' }: { user: UserView; open: boolean; onOpenChange: (open: boolean) => void; focus?: 'name' | 'tierId' }) {
  const invalidate = useInvalidate();
  const tiers = useQuery({ ...trpc.admin.tiers.list.queryOptions(), enabled: open });
  const defaults = { email: user.email, name: user.name, tierId: user.tierId };
  const { form, formError, close, submitting } = useDialogForm(updateUserSchema, {
    toInput: (v: EditValues) => ({
      id: user.id,
      ...(v.email !== user.email ? { email: v.email } : {}),
      ...(v.name !== user.name ? { name: v.name } : {}),
      ...(v.tierId !== user.tierId ? { tierId: v.tierId } : {}),
    }),
    values: defaults,
    fields: ['email', 'name', 'tierId'],
    onOpenChange,
  });
  const update = useMutation(trpc.admin.users.update.mutationOptions());
  const submit = submitting(async (input) => {
    const updated = await update.mutateAsync(input);
    await invalidate('users');
    toast(updated.tier !== user.tier ? `${updated.email} is now on ${updated.tier}` : `Saved ${updated.email}`);
    close(false);
  });
  const { errors } = form.formState;
  return (
    <Dialog open={open} onOpenChange={close} title={focus === 'tierId' ? 'Change tier' : 'Edit user'} description={focus === 'tierId' ? 'The new quota applies from the next request, on every server.' : undefined}>
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        {focus !== 'tierId' && (
          <>
            <Field label="Email" error={errors.email?.message}>
              {(p) => <Input {...p} type="email" {...form.register('email')} />}
            </Field>
            <Field label="Name" error={errors.name?.message}>
              {(p) => <Input {...p} {...form.register('name')} />}
            </Field>
          </>
        )}
        <Field label="Tier" error={errors.tierId?.message}>
          {(p) => (
            <Select {...p} {...form.register('tierId')} disabled={!tiers.data}>
              {!tiers.data && <option value={user.tierId}>{user.tier}</option>}
              {tiers.data?.map((t) => (
                <option key={t.id} value={t.id}>
                  {tierLabel(t)}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <DialogFooter>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={form.formState.isSubmitting}>
            {focus === 'tierId' ? 'Change tier' : 'Save'}
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
