import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { BellRing, Layers, Pencil, Plus, ShoppingCart, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { createTierSchema, updateTierSchema, type TierView } from '../../../shared/admin.ts';
import { setTierAlertPercentsSchema } from '../../../shared/alerts.ts';
import { setTierVariantSchema } from '../../../shared/billing.ts';
import { Button } from '../../ui/components/button.tsx';
import { Badge, Card, PageHeader } from '../../ui/components/card.tsx';
import { ConfirmDialog, Dialog, DialogFooter } from '../../ui/components/dialog.tsx';
import { Alert, EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { Checkbox, Field, Input, Textarea } from '../../ui/components/field.tsx';
import { TBody, THead, Table, Td, Th } from '../../ui/components/table.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { applyServerError, useDialogForm, useSharedForm } from '../../ui/lib/forms.ts';
import { centsToDollars, formatNumber, formatPrice, formatQuota, parseDollarsToCents } from '../../ui/lib/format.ts';
import { useCanWrite } from '../lib/session.ts';
import { toast } from '../../ui/lib/toast.ts';
import { trpc } from '../lib/trpc.ts';
import { useInvalidate } from '../lib/invalidation.ts';
import { BILLING_OFF, isBillingOffError } from '../lib/billing.ts';

export const Route = createLazyRoute('/_app/tiers')({ component: TiersPage });

type Tier = TierView;

function TiersPage() {
  const canWrite = useCanWrite();
  const tiers = useQuery(trpc.admin.tiers.list.queryOptions());
  const [editing, setEditing] = useState<Tier | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Tier | null>(null);
  const [selling, setSelling] = useState<Tier | null>(null);
  const [alerting, setAlerting] = useState<Tier | null>(null);
  const invalidate = useInvalidate();
  const remove = useMutation(trpc.admin.tiers.delete.mutationOptions());
  return (
    <>
      <PageHeader
        title="Tiers"
        description="Plans with a monthly quota and a price. A quota change applies from the next request, on every server. Public tiers are shown on the portal's front page and Plan screen. Alerts at: the usage alerts of the tier's users who set none of their own."
        actions={
          canWrite && (
            <Button variant="primary" onClick={() => setEditing('new')}>
              <Plus className="size-4" aria-hidden="true" /> New tier
            </Button>
          )
        }
      />
      <Card>
        {tiers.isPending ? (
          <LoadingBlock rows={4} label="Loading tiers" />
        ) : tiers.isError ? (
          <ErrorState message={errorMessage(tiers.error)} onRetry={() => void tiers.refetch()} />
        ) : tiers.data.length === 0 ? (
          <EmptyState title="No tiers" icon={<Layers className="size-5" aria-hidden="true" />} />
        ) : (
          <Table label="Tiers">
            <THead>
              <tr>
                <Th>Name</Th>
                <Th className="text-right">Monthly quota</Th>
                <Th className="text-right">Price</Th>
                <Th className="text-right">Users</Th>
                <Th>Lemon Squeezy variant</Th>
                <Th>Alerts at</Th>
                <Th>Description</Th>
                {canWrite && <Th className="text-right">Actions</Th>}
              </tr>
            </THead>
            <TBody>
              {tiers.data.map((t) => (
                <tr key={t.id}>
                  <Td>
                    <span className="font-medium text-zinc-900">{t.name}</span>
                    {t.isDefault && (
                      <Badge tone="brand" className="ml-2">
                        Default
                      </Badge>
                    )}
                    {t.public && (
                      <Badge tone="green" className="ml-2">
                        Public
                      </Badge>
                    )}
                  </Td>
                  <Td className="text-right tabular-nums">{formatQuota(t.monthlyQuota)}</Td>
                  <Td className="text-right">{formatPrice(t.priceCents)}</Td>
                  <Td className="text-right tabular-nums">
                    {t.users > 0 ? (
                      <Link to="/users" search={{ tier: t.id }} className="text-brand-700 hover:underline">
                        {formatNumber(t.users)}
                      </Link>
                    ) : (
                      0
                    )}
                  </Td>
                  <Td>
                    <VariantCell tier={t} canWrite={canWrite} onEdit={() => setSelling(t)} />
                  </Td>
                  <Td>
                    <AlertPercentsCell tier={t} canWrite={canWrite} onEdit={() => setAlerting(t)} />
                  </Td>
                  <Td className="max-w-xs whitespace-normal text-zinc-600">{t.description || <span className="text-zinc-400">—</span>}</Td>
                  {canWrite && (
                    <Td className="text-right">
                      <div className="flex justify-end gap-1.5">
                        <Button size="sm" onClick={() => setEditing(t)} aria-label={`Edit tier ${t.name}`}>
                          <Pencil className="size-3.5" aria-hidden="true" /> Edit
                        </Button>
                        <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => setDeleting(t)} aria-label={`Delete tier ${t.name}`}>
                          <Trash2 className="size-3.5" aria-hidden="true" /> Delete
                        </Button>
                      </div>
                    </Td>
                  )}
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      <TierDialog tier={editing} onClose={() => setEditing(null)} />
      <VariantDialog tier={selling} onClose={() => setSelling(null)} />
      <AlertPercentsDialog tier={alerting} onClose={() => setAlerting(null)} />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete the ${deleting?.name ?? ''} tier?`}
        description={deleting && deleting.users > 0 ? `${deleting.users} user${deleting.users === 1 ? ' is' : 's are'} on this tier; the server will refuse until they are moved.` : 'Nobody is on this tier. This cannot be undone.'}
        confirmLabel="Delete tier"
        onConfirm={async () => {
          if (!deleting) return;
          await remove.mutateAsync({ id: deleting.id });
          await invalidate('tiers');
          toast(`Deleted ${deleting.name}`);
        }}
      />
    </>
  );
}

interface TierValues {
  name: string;
  unlimited: boolean;
  monthlyQuota: string;
  price: string;
  description: string;
  isDefault: boolean;
  public: boolean;
}

const toNumber = (s: string) => (s.trim() === '' ? Number.NaN : Number(s.replace(/[,_\s]/g, '')));
const fieldFor = (p: string) => (p === 'priceCents' ? 'price' : p);

function TierDialog({ tier, onClose }: { tier: Tier | 'new' | null; onClose: () => void }) {
  const existing = tier !== null && tier !== 'new' ? tier : null;
  const invalidate = useInvalidate();
  const [formError, setFormError] = useState<string | null>(null);
  const values: TierValues = existing
    ? { name: existing.name, unlimited: existing.monthlyQuota === null, monthlyQuota: existing.monthlyQuota === null ? '' : String(existing.monthlyQuota), price: centsToDollars(existing.priceCents), description: existing.description, isDefault: existing.isDefault, public: existing.public }
    : { name: '', unlimited: false, monthlyQuota: '1000', price: '', description: '', isDefault: false, public: false };
  const toInput = (v: TierValues) => {
    const fields = { name: v.name, monthlyQuota: v.unlimited ? null : toNumber(v.monthlyQuota), priceCents: parseDollarsToCents(v.price), description: v.description, public: v.public };
    return existing ? { id: existing.id, ...fields, ...(v.isDefault && !existing.isDefault ? { isDefault: true as const } : {}) } : { ...fields, isDefault: v.isDefault };
  };
  const createForm = useSharedForm(createTierSchema, { values, toInput, fieldFor });
  const updateForm = useSharedForm(updateTierSchema, { values, toInput, fieldFor });
  const create = useMutation(trpc.admin.tiers.create.mutationOptions());
  const update = useMutation(trpc.admin.tiers.update.mutationOptions());
  const form = existing ? updateForm : createForm;
  const close = () => {
    setFormError(null);
    createForm.reset();
    onClose();
  };
  const fields = ['name', 'monthlyQuota', 'price', 'description', 'isDefault', 'public'];
  const done = async (name: string) => {
    await invalidate('tiers');
    toast(existing ? `Saved ${name}` : `Created ${name}`);
    close();
  };
  const submitCreate = createForm.handleSubmit(async (input) => {
    setFormError(null);
    try {
      await done((await create.mutateAsync(input)).name);
    } catch (err) {
      setFormError(applyServerError(err, createForm.setError, fields, fieldFor));
    }
  });
  const submitUpdate = updateForm.handleSubmit(async (input) => {
    setFormError(null);
    try {
      await done((await update.mutateAsync(input)).name);
    } catch (err) {
      setFormError(applyServerError(err, updateForm.setError, fields, fieldFor));
    }
  });
  const { errors, isSubmitting } = form.formState;
  const unlimited = form.watch('unlimited');
  return (
    <Dialog open={tier !== null} onOpenChange={(open) => !open && close()} title={existing ? `Edit ${existing.name}` : 'New tier'} description={existing && existing.users > 0 ? `${existing.users} user${existing.users === 1 ? '' : 's'} on this tier get the new quota from their next request.` : undefined}>
      <form onSubmit={(e) => void (existing ? submitUpdate(e) : submitCreate(e))} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Name" error={errors.name?.message}>
          {(p) => <Input {...p} autoComplete="off" {...form.register('name')} />}
        </Field>
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field label="Monthly quota (requests)" error={errors.monthlyQuota?.message}>
            {(p) => <Input {...p} inputMode="numeric" disabled={unlimited} {...form.register('monthlyQuota')} />}
          </Field>
          <Field label="Price per month (USD)" optional error={errors.price?.message} hint="Empty for a negotiated price.">
            {(p) => <Input {...p} inputMode="decimal" placeholder="e.g. 29" {...form.register('price')} />}
          </Field>
        </div>
        <Checkbox label="Unlimited quota (requests are still counted)" {...form.register('unlimited')} />
        <Field label="Description" optional error={errors.description?.message}>
          {(p) => <Textarea {...p} rows={2} {...form.register('description')} />}
        </Field>
        <Checkbox label="Public: show it on the portal's front page and Plan screen" {...form.register('public')} />
        {!(existing?.isDefault ?? false) && <Checkbox label="Make this the default tier for new users" {...form.register('isDefault')} />}
        <DialogFooter>
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" pending={isSubmitting}>
            {existing ? 'Save' : 'Create tier'}
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

/** A paid tier is sold as one Lemon Squeezy variant; a free one has none. */
function VariantCell({ tier, canWrite, onEdit }: { tier: Tier; canWrite: boolean; onEdit: () => void }) {
  const paid = (tier.priceCents ?? 1) > 0;
  if (!paid && tier.lemonsqueezyVariantId === null) return <span className="text-zinc-400">Free: none</span>;
  return (
    <span className="inline-flex items-center gap-2">
      {tier.lemonsqueezyVariantId ? <span className="font-mono text-xs text-zinc-800">{tier.lemonsqueezyVariantId}</span> : <span className="text-zinc-500">Not for sale</span>}
      {canWrite && (
        <Button size="sm" variant="ghost" onClick={onEdit} aria-label={`Set the Lemon Squeezy variant of ${tier.name}`}>
          <ShoppingCart className="size-3.5" aria-hidden="true" /> {tier.lemonsqueezyVariantId ? 'Change' : 'Set'}
        </Button>
      )}
    </span>
  );
}

/**
 * Sets or clears the variant a paid tier is sold as. The server checks it with
 * Lemon Squeezy (GET /v1/variants/:id), so a wrong id comes back as a 400
 * naming the field, shown under it.
 */
function VariantDialog({ tier, onClose }: { tier: Tier | null; onClose: () => void }) {
  const invalidate = useInvalidate();
  const setVariant = useMutation(trpc.admin.tiers.setVariant.mutationOptions());
  const { form, formError, close, submitting } = useDialogForm(setTierVariantSchema, {
    values: { variant: tier?.lemonsqueezyVariantId ?? '' },
    toInput: (v: { variant: string }) => ({ tierId: tier?.id ?? '', variantId: v.variant.trim() === '' ? null : v.variant }),
    fieldFor: (p) => (p === 'variantId' ? 'variant' : p),
    fields: ['variant'],
    onOpenChange: (open) => !open && onClose(),
  });
  const submit = submitting(async (input) => {
    const saved = await setVariant.mutateAsync(input).catch((err: unknown) => {
      throw isBillingOffError(err) ? new Error(BILLING_OFF) : err;
    });
    await invalidate('tiers');
    toast(saved.lemonsqueezyVariantId ? `${saved.name} is sold as variant ${saved.lemonsqueezyVariantId}` : `${saved.name} is no longer for sale on the portal`);
    close(false);
  });
  const { errors, isSubmitting } = form.formState;
  return (
    <Dialog
      open={tier !== null}
      onOpenChange={close}
      title={`Sell ${tier?.name ?? ''} on Lemon Squeezy`}
      description="The variant customers buy on the portal to get this tier. Its id is in Lemon Squeezy under Products → the product → the variant."
    >
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Lemon Squeezy variant" optional error={errors.variant?.message} hint="Digits, e.g. 123456. Empty: not for sale. It is checked with Lemon Squeezy when you save.">
          {(p) => <Input {...p} inputMode="numeric" autoComplete="off" className="font-mono" {...form.register('variant')} />}
        </Field>
        <DialogFooter>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={isSubmitting}>
            Save variant
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

const formatPercents = (list: readonly number[]) => list.map((p) => `${p}%`).join(', ');

/** The tier's default alert thresholds, for users who set none of their own. */
function AlertPercentsCell({ tier, canWrite, onEdit }: { tier: Tier; canWrite: boolean; onEdit: () => void }) {
  return (
    <span className="inline-flex items-center gap-2">
      {tier.alertPercents.length ? <span className="tabular-nums text-zinc-800">{formatPercents(tier.alertPercents)}</span> : <span className="text-zinc-500">Off</span>}
      {canWrite && (
        <Button size="sm" variant="ghost" onClick={onEdit} aria-label={`Edit the alert thresholds of ${tier.name}`}>
          <BellRing className="size-3.5" aria-hidden="true" /> Edit
        </Button>
      )}
    </span>
  );
}

/** "80, 100" or "80% 100%" → [80, 100]; a word that is not a number stays NaN, so the schema names it. */
const parsePercents = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.replace(/%$/, ''))
    .filter((s) => s !== '')
    .map(Number);

/** Sets a tier's default alert percentages; the server's 400 for a bad one shows under the field. */
function AlertPercentsDialog({ tier, onClose }: { tier: Tier | null; onClose: () => void }) {
  const invalidate = useInvalidate();
  const setAlertPercents = useMutation(trpc.admin.tiers.setAlertPercents.mutationOptions());
  const { form, formError, close, submitting } = useDialogForm(setTierAlertPercentsSchema, {
    values: { percents: tier ? tier.alertPercents.join(', ') : '' },
    toInput: (v: { percents: string }) => ({ id: tier?.id ?? '', percents: parsePercents(v.percents) }),
    fieldFor: (p) => (p.startsWith('percents') ? 'percents' : p),
    fields: ['percents'],
    onOpenChange: (open) => !open && onClose(),
  });
  const submit = submitting(async (input) => {
    const saved = await setAlertPercents.mutateAsync(input);
    await invalidate('tiers');
    toast(saved.alertPercents.length ? `${saved.name} alerts at ${formatPercents(saved.alertPercents)}` : `${saved.name} has no default alerts`);
    close(false);
  });
  const { errors, isSubmitting } = form.formState;
  return (
    <Dialog
      open={tier !== null}
      onOpenChange={close}
      title={`Alerts for ${tier?.name ?? ''}`}
      description={
        tier?.monthlyQuota === null
          ? 'This tier has no quota, so percentages never fire; its users can still set request counts of their own.'
          : "Users on this tier who set none of their own get an email and a quota.threshold_reached webhook when their period's usage crosses each of these."
      }
    >
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Alert at (percent of the quota)" optional error={errors.percents?.message} hint="Whole numbers from 1 to 1000, separated by commas, e.g. 80, 100. At most 10. Empty: no default alerts.">
          {(p) => <Input {...p} inputMode="numeric" autoComplete="off" {...form.register('percents')} />}
        </Field>
        <DialogFooter>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={isSubmitting}>
            Save alerts
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
