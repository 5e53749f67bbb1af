import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { KeyRound, Plus } from 'lucide-react';
import { useState } from 'react';
import type { KeySummary } from '../../../shared/keys.ts';
import { Button } from '../../ui/components/button.tsx';
import { Card, CardHeader } from '../../ui/components/card.tsx';
import { EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { CreateKeyDialog, KeyTable, RevealKeyDialog, RevokeKeyConfirm, RotateKeyDialog, rotationNote, type RevealedKey } from '../../ui/keys.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { stashKey } from '../../ui/lib/handoff.ts';
import { trpc } from '../lib/trpc.ts';
import { useInvalidate } from '../lib/invalidation.ts';

/** A user's keys: masked id, status, last use and usage count; create, rotate and revoke. */
export function KeysPanel({ userId, canWrite, title = 'API keys' }: { userId: string; canWrite: boolean; title?: string }) {
  const navigate = useNavigate();
  const keys = useQuery(trpc.admin.keys.list.queryOptions({ userId }));
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<RevealedKey | null>(null);
  const [revoking, setRevoking] = useState<KeySummary | null>(null);
  const [rotating, setRotating] = useState<KeySummary | null>(null);
  const create = useMutation(trpc.admin.keys.create.mutationOptions());
  const rotate = useMutation(trpc.admin.keys.rotate.mutationOptions());
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
        <KeyTable
          keys={keys.data}
          canWrite={canWrite}
          onRotate={setRotating}
          onRevoke={setRevoking}
          inactiveAction={(k) => (
            <Link to="/audit" search={{ targetId: k.id }} className="text-xs font-medium text-brand-600 hover:underline">
              History
            </Link>
          )}
        />
      )}

      <CreateKeyDialog
        open={creating}
        onOpenChange={setCreating}
        create={(input) => create.mutateAsync({ userId, ...input })}
        onCreated={(key) => {
          setCreating(false);
          setRevealed({ key });
          void invalidate();
        }}
      />
      <RotateKeyDialog
        apiKey={rotating}
        onOpenChange={(open) => !open && setRotating(null)}
        rotate={(input) => rotate.mutateAsync(input)}
        onRotated={(key, grace) => {
          setRotating(null);
          setRevealed({ key, note: rotationNote(grace) });
          void invalidate();
        }}
      />
      <RevealKeyDialog
        revealed={revealed}
        onClose={() => setRevealed(null)}
        onTry={(key) => void navigate({ to: '/playground', search: { mode: 'key' }, state: { keyHandoff: stashKey(key.key) } })}
      />
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
