import { useMutation } from '@tanstack/react-query';
import { changePasswordSchema } from '../../../shared/admin.ts';
import { Button } from '../../ui/components/button.tsx';
import { Dialog, DialogFooter } from '../../ui/components/dialog.tsx';
import { Alert } from '../../ui/components/feedback.tsx';
import { Field, Input } from '../../ui/components/field.tsx';
import { useDialogForm } from '../../ui/lib/forms.ts';
import { toast } from '../../ui/lib/toast.ts';
import { trpc } from '../lib/trpc.ts';

export function ChangePasswordDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { form, formError, close, submitting } = useDialogForm(changePasswordSchema, {
    defaultValues: { currentPassword: '', newPassword: '' },
    fields: ['currentPassword', 'newPassword'],
    onOpenChange,
  });
  const change = useMutation(trpc.auth.changePassword.mutationOptions());
  const submit = submitting(async (values) => {
    await change.mutateAsync(values);
    toast('Password changed');
    close(false);
  });
  const { errors } = form.formState;
  return (
    <Dialog open={open} onOpenChange={close} title="Change your password" description="At least 12 characters. Your other sessions are signed out; this one stays signed in.">
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Current password" error={errors.currentPassword?.message}>
          {(p) => <Input {...p} type="password" autoComplete="current-password" {...form.register('currentPassword')} />}
        </Field>
        <Field label="New password" error={errors.newPassword?.message} hint="At least 12 characters.">
          {(p) => <Input {...p} type="password" autoComplete="new-password" {...form.register('newPassword')} />}
        </Field>
        <DialogFooter>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={form.formState.isSubmitting}>
            Change password
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
