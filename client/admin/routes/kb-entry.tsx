import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link, useBlocker, useNavigate } from '@tanstack/react-router';
import { ChevronLeft, Trash2 } from 'lucide-react';
import { useRef, useState } from 'react';
import type { z } from 'zod';
import { kbCreateSchema, kbUpdateSchema, type KbEntryView } from '../../../shared/kb.ts';
import { Markdown } from '../components/markdown.tsx';
import { Button } from '../../ui/components/button.tsx';
import { Card, PageHeader } from '../../ui/components/card.tsx';
import { ConfirmDialog } from '../../ui/components/dialog.tsx';
import { Alert, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { Field, Input, Textarea } from '../../ui/components/field.tsx';
import { TabPanel, Tabs } from '../../ui/components/tabs.tsx';
import { errorMessage, readError } from '../../ui/lib/errors.ts';
import { applyServerError, useSharedForm } from '../../ui/lib/forms.ts';
import { formatDateTime, parseTags } from '../../ui/lib/format.ts';
import { useCanWrite } from '../lib/session.ts';
import { toast } from '../../ui/lib/toast.ts';
import { trpc } from '../lib/trpc.ts';
import { useInvalidate } from '../lib/invalidation.ts';

export const NewRoute = createLazyRoute('/_app/kb/new')({ component: NewEntryPage });
export const EditRoute = createLazyRoute('/_app/kb/$entryId')({ component: EditEntryPage });

type Entry = KbEntryView;
type KbCreate = z.output<typeof kbCreateSchema>;
type KbUpdate = z.output<typeof kbUpdateSchema>;

function Back() {
  return (
    <Link to="/kb" className="mb-2 inline-flex items-center gap-1 text-sm text-zinc-500 hover:text-zinc-900">
      <ChevronLeft className="size-4" aria-hidden="true" /> Knowledge base
    </Link>
  );
}

function NewEntryPage() {
  return (
    <>
      <PageHeader title="New article" description="Write in Markdown; the preview shows how it reads.">
        <Back />
      </PageHeader>
      <EntryEditor entry={null} />
    </>
  );
}

function EditEntryPage() {
  const { entryId } = EditRoute.useParams();
  const entry = useQuery(trpc.admin.kb.get.queryOptions({ id: entryId }));
  if (entry.isPending) {
    return (
      <Card>
        <LoadingBlock rows={8} label="Loading article" />
      </Card>
    );
  }
  if (entry.isError) {
    const notFound = readError(entry.error).httpStatus === 404;
    return (
      <Card>
        <ErrorState title={notFound ? 'No such article' : undefined} message={notFound ? 'It may have been deleted.' : errorMessage(entry.error)} onRetry={notFound ? undefined : () => void entry.refetch()} />
      </Card>
    );
  }
  return (
    <>
      <PageHeader title={entry.data.title} description={`Last updated ${formatDateTime(entry.data.updatedAt)}`}>
        <Back />
      </PageHeader>
      <EntryEditor key={entry.data.id} entry={entry.data} />
    </>
  );
}

interface Values {
  title: string;
  tags: string;
  body: string;
}

const fieldFor = (p: string) => (p.startsWith('tags') ? 'tags' : p);

function EntryEditor({ entry }: { entry: Entry | null }) {
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const invalidate = useInvalidate();
  const [tab, setTab] = useState<'write' | 'preview'>(canWrite ? 'write' : 'preview');
  const [formError, setFormError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const defaultValues: Values = { title: entry?.title ?? '', tags: entry?.tags.join(', ') ?? '', body: entry?.body ?? '' };
  const createForm = useSharedForm(kbCreateSchema, { defaultValues, toInput: (v: Values) => ({ title: v.title, body: v.body, tags: parseTags(v.tags) }), fieldFor });
  const updateForm = useSharedForm(kbUpdateSchema, { defaultValues, toInput: (v: Values) => ({ id: entry?.id ?? '', title: v.title, body: v.body, tags: parseTags(v.tags) }), fieldFor });
  const form = entry ? updateForm : createForm;
  const create = useMutation(trpc.admin.kb.create.mutationOptions());
  const update = useMutation(trpc.admin.kb.update.mutationOptions());
  const remove = useMutation(trpc.admin.kb.delete.mutationOptions());

  const { errors, isSubmitting, isDirty } = form.formState;
  // Leaving with unsaved changes asks first (in-app navigation and closing the tab); saving or deleting does not.
  const leavingOnPurpose = useRef(false);
  useBlocker({
    shouldBlockFn: () => !leavingOnPurpose.current && !window.confirm('Leave without saving? Your changes will be lost.'),
    disabled: !isDirty || !canWrite,
    enableBeforeUnload: () => isDirty && !leavingOnPurpose.current,
  });

  const saved = async (e: Entry) => {
    await invalidate('kb');
    toast(entry ? 'Article saved' : 'Article created');
    if (!entry) {
      leavingOnPurpose.current = true;
      await navigate({ to: '/kb/$entryId', params: { entryId: e.id }, replace: true });
    }
    else form.reset({ title: e.title, tags: e.tags.join(', '), body: e.body });
  };
  const fields = ['title', 'tags', 'body'];
  const onCreate = async (input: KbCreate) => {
    setFormError(null);
    try {
      await saved(await create.mutateAsync(input));
    } catch (err) {
      setFormError(applyServerError(err, createForm.setError, fields, fieldFor));
    }
  };
  const onUpdate = async (input: KbUpdate) => {
    setFormError(null);
    try {
      await saved(await update.mutateAsync(input));
    } catch (err) {
      setFormError(applyServerError(err, updateForm.setError, fields, fieldFor));
    }
  };
  const body = form.watch('body');
  return (
    <form onSubmit={(e) => void (entry ? updateForm.handleSubmit(onUpdate)(e) : createForm.handleSubmit(onCreate)(e))} noValidate>
      <Card className="space-y-4 p-4 sm:p-5">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Title" error={errors.title?.message}>
          {(p) => <Input {...p} readOnly={!canWrite} {...form.register('title')} />}
        </Field>
        <Field label="Tags" optional error={errors.tags?.message} hint="Separated by commas, e.g. “quota, billing”.">
          {(p) => <Input {...p} readOnly={!canWrite} {...form.register('tags')} />}
        </Field>
        <div>
          <Tabs
            label="Body"
            value={tab}
            onValueChange={setTab}
            tabs={canWrite ? [{ value: 'write', label: 'Write' }, { value: 'preview', label: 'Preview' }] : [{ value: 'preview', label: 'Article' }]}
          >
            {canWrite && (
              <TabPanel value="write" className="pt-3" >
                <Field label="Body (Markdown)" error={errors.body?.message}>
                  {(p) => <Textarea {...p} rows={18} className="font-mono text-[13px] leading-relaxed" {...form.register('body')} />}
                </Field>
              </TabPanel>
            )}
            <TabPanel value="preview" className="pt-3">
              <div className="min-h-40 rounded-md border border-zinc-200 bg-zinc-50/40 p-4" aria-label="Preview">
                {body.trim() ? <Markdown>{body}</Markdown> : <p className="text-zinc-500">Nothing to preview yet.</p>}
              </div>
            </TabPanel>
          </Tabs>
        </div>
        {canWrite && (
          <div className="flex flex-col-reverse gap-2 border-t border-zinc-100 pt-4 sm:flex-row sm:items-center sm:justify-between">
            <div>
              {entry && (
                <Button variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => setDeleting(true)}>
                  <Trash2 className="size-4" aria-hidden="true" /> Delete article
                </Button>
              )}
            </div>
            <div className="flex flex-col-reverse gap-2 sm:flex-row">
              <Button onClick={() => void navigate({ to: '/kb' })}>Cancel</Button>
              <Button type="submit" variant="primary" pending={isSubmitting}>
                {entry ? 'Save changes' : 'Create article'}
              </Button>
            </div>
          </div>
        )}
      </Card>
      {entry && (
        <ConfirmDialog
          open={deleting}
          onOpenChange={setDeleting}
          title={`Delete “${entry.title}”?`}
          description="The kb source stops answering from it at once. This cannot be undone."
          confirmLabel="Delete article"
          onConfirm={async () => {
            await remove.mutateAsync({ id: entry.id });
            leavingOnPurpose.current = true;
            // Leave first: refreshing the kb domain while this page is open would refetch the deleted entry (404).
            await navigate({ to: '/kb', replace: true });
            await invalidate('kb');
            toast('Article deleted');
          }}
        />
      )}
    </form>
  );
}
