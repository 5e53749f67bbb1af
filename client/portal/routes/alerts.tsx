import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { Plus, X } from 'lucide-react';
import { useEffect, useState, type FormEvent } from 'react';
import { MAX_THRESHOLDS, thresholdSchema, type AlertSettingsView, type Threshold } from '../../../shared/alerts.ts';
import { AlertList, thresholdLabel } from '../../ui/alerts.tsx';
import { Button } from '../../ui/components/button.tsx';
import { Badge, Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { Alert, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { Field, Input, Select } from '../../ui/components/field.tsx';
import { errorMessage, readError } from '../../ui/lib/errors.ts';
import { formatNumber } from '../../ui/lib/format.ts';
import { toast } from '../../ui/lib/toast.ts';
import { notificationsOptions } from '../components/alert-banner.tsx';
import { useInvalidate } from '../lib/invalidation.ts';
import { useCustomer } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/app/alerts')({ component: AlertsPage });

/** The customer's usage alerts: what fired (opening the screen marks them seen), and at which thresholds they fire. */
function AlertsPage() {
  return (
    <>
      <PageHeader title="Alerts" description="We email you, and call your webhooks with quota.threshold_reached, when this period's usage crosses a threshold." />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-5">
        <div className="lg:col-span-3">
          <NotificationsCard />
        </div>
        <div className="lg:col-span-2">
          <ThresholdsCard />
        </div>
      </div>
    </>
  );
}

function NotificationsCard() {
  const notifications = useQuery(notificationsOptions());
  const markSeen = useMutation(trpc.alerts.markSeen.mutationOptions());
  const invalidate = useInvalidate();
  const unread = notifications.data?.unread ?? 0;
  // Opening the list is reading it: the bell's count starts again from now.
  useEffect(() => {
    if (unread > 0 && !markSeen.isPending) markSeen.mutate(undefined, { onSuccess: () => void invalidate('alerts') });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per new unread count, not per render
  }, [unread]);
  return (
    <Card aria-labelledby="notifications-heading">
      <CardHeader id="notifications-heading" title="Notifications" description="Recent alerts, fired and resolved, newest first" />
      {notifications.isPending ? (
        <LoadingBlock rows={3} label="Loading notifications" />
      ) : notifications.isError ? (
        <ErrorState message={errorMessage(notifications.error)} onRetry={() => void notifications.refetch()} />
      ) : (
        <AlertList
          alerts={notifications.data.recent}
          label="Notifications"
          emptyTitle="No alerts yet"
          emptyText="When this period's usage crosses one of your thresholds, it shows here."
        />
      )}
    </Card>
  );
}

function ThresholdsCard() {
  const settings = useQuery(trpc.alerts.settings.queryOptions());
  return (
    <Card aria-labelledby="thresholds-heading">
      <CardHeader id="thresholds-heading" title="Thresholds" description="When an alert fires, per quota period" />
      {settings.isPending ? (
        <LoadingBlock rows={3} label="Loading thresholds" />
      ) : settings.isError ? (
        <ErrorState message={errorMessage(settings.error)} onRetry={() => void settings.refetch()} />
      ) : (
        <ThresholdsEditor settings={settings.data} />
      )}
    </Card>
  );
}

const describeList = (list: readonly Threshold[]) => (list.length ? list.map(thresholdLabel).join(', ') : 'none');

/** Every change is saved at once: the list shown is always what the server holds. */
function ThresholdsEditor({ settings }: { settings: AlertSettingsView }) {
  const customer = useCustomer();
  const canWrite = customer?.status !== 'suspended';
  const invalidate = useInvalidate();
  const update = useMutation(trpc.alerts.update.mutationOptions());
  const [kind, setKind] = useState<Threshold['kind']>(settings.limit === null ? 'count' : 'percent');
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);

  const save = async (thresholds: Threshold[] | null, done: string) => {
    setFormError(null);
    try {
      await update.mutateAsync({ thresholds });
      await invalidate('alerts');
      toast(done);
      return true;
    } catch (err) {
      const { issues } = readError(err);
      const issue = issues.find((i) => i.field.startsWith('thresholds'));
      if (issue && /\.value$/.test(issue.field)) setFieldError(issue.message);
      else setFormError(issue ? `Thresholds ${issue.message}` : errorMessage(err));
      return false;
    }
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setFieldError(undefined);
    const parsed = thresholdSchema.safeParse({ kind, value: value.trim() === '' ? Number.NaN : Number(value.replace(/[,_\s]/g, '')) });
    if (!parsed.success) {
      setFieldError(parsed.error.issues[0]?.message ?? 'must be a whole number');
      return;
    }
    if (await save([...settings.thresholds, parsed.data], `Alerts at ${thresholdLabel(parsed.data)} added`)) setValue('');
  };
  const remove = (t: Threshold) => void save(settings.thresholds.filter((o) => o.kind !== t.kind || o.value !== t.value), `Alert at ${thresholdLabel(t)} removed`);
  const full = settings.thresholds.length >= MAX_THRESHOLDS;

  return (
    <div className="space-y-4 p-4">
      {formError && <Alert>{formError}</Alert>}
      <p className="text-sm text-zinc-600">
        Your tier's defaults: <strong className="text-zinc-900">{describeList(settings.tierDefaults)}</strong>
        {settings.limit !== null ? ` of ${formatNumber(settings.limit)} requests a period.` : '.'}{' '}
        {settings.usingTierDefaults ? <Badge tone="brand">In use</Badge> : <Badge>Replaced by your own</Badge>}
      </p>
      {settings.limit === null && <p className="text-sm text-zinc-600">Your tier has no quota, so percentages never fire: add a number of requests instead.</p>}
      <div>
        <h3 className="text-sm font-medium text-zinc-800">{settings.usingTierDefaults ? 'Alerts fire at (the tier defaults)' : 'Alerts fire at (your own)'}</h3>
        {settings.thresholds.length === 0 ? (
          <p className="mt-1 text-sm text-zinc-500">Nowhere: alerts are off.</p>
        ) : (
          <ul aria-label="Thresholds in force" className="mt-2 flex flex-wrap gap-2">
            {settings.thresholds.map((t) => (
              <li key={`${t.kind}-${t.value}`} className="inline-flex items-center gap-1 rounded-full bg-zinc-100 py-0.5 pl-3 pr-1 text-sm text-zinc-800 ring-1 ring-inset ring-zinc-200">
                {thresholdLabel(t)}
                {settings.limit !== null && t.kind === 'percent' && <span className="text-xs text-zinc-500">({formatNumber(Math.ceil((settings.limit * t.value) / 100))})</span>}
                {canWrite && (
                  <button
                    type="button"
                    onClick={() => remove(t)}
                    disabled={update.isPending}
                    aria-label={`Remove the alert at ${thresholdLabel(t)}`}
                    className="rounded-full p-1 text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 disabled:opacity-50"
                  >
                    <X className="size-3.5" aria-hidden="true" />
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      {canWrite && (
        <>
          <form onSubmit={(e) => void add(e)} noValidate className="flex flex-wrap items-end gap-2" aria-label="Add a threshold">
            <Field label="Kind" className="w-36">
              {(p) => (
                <Select {...p} value={kind} onChange={(e) => setKind(e.target.value as Threshold['kind'])}>
                  <option value="percent">Percent</option>
                  <option value="count">Requests</option>
                </Select>
              )}
            </Field>
            <Field label={kind === 'percent' ? 'Percent' : 'Requests'} error={fieldError} className="w-32">
              {(p) => <Input {...p} inputMode="numeric" placeholder={kind === 'percent' ? 'e.g. 50' : 'e.g. 5000'} value={value} onChange={(e) => setValue(e.target.value)} />}
            </Field>
            <Button type="submit" disabled={full} pending={update.isPending}>
              <Plus className="size-4" aria-hidden="true" /> Add
            </Button>
          </form>
          {full && <p className="text-xs text-zinc-500">At most {MAX_THRESHOLDS} thresholds: remove one to add another.</p>}
          <div className="flex flex-wrap gap-2 border-t border-zinc-100 pt-4">
            <Button size="sm" disabled={settings.usingTierDefaults || update.isPending} onClick={() => void save(null, 'Back to the tier defaults')}>
              Use tier defaults
            </Button>
            <Button size="sm" variant="ghost" disabled={settings.thresholds.length === 0 || update.isPending} onClick={() => void save([], 'Alerts turned off')}>
              Turn alerts off
            </Button>
          </div>
        </>
      )}
      <p className="text-xs text-zinc-500">
        Where they go: your account's email, and your <Link to="/app/webhooks" className="font-medium text-brand-700 hover:underline">webhook endpoints</Link> subscribed to quota events.
      </p>
    </div>
  );
}
