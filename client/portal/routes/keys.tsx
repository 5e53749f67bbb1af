import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute, useNavigate } from '@tanstack/react-router';
import { KeyRound, Plus } from 'lucide-react';
import { useState } from 'react';
import type { KeySummary } from '../../../shared/keys.ts';
import { Button } from '../../ui/components/button.tsx';
import { Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { stashKey } from '../../ui/lib/handoff.ts';
import { CreateKeyDialog, KeyTable, RevealKeyDialog, RevokeKeyConfirm, RotateKeyDialog, rotationNote, type RevealedKey } from '../../ui/keys.tsx';
import { useInvalidate } from '../lib/invalidation.ts';
import { useCustomer } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/app/keys')({ component: KeysPage });

/** The customer's own keys: create (once the email is verified) and reveal once, rotate, revoke. */
function KeysPage() {
  const customer = useCustomer();
  const navigate = useNavigate();
  const keys = useQuery(trpc.keys.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<RevealedKey | null>(null);
  const [revoking, setRevoking] = useState<KeySummary | null>(null);
  const [rotating, setRotating] = useState<KeySummary | null>(null);
  const create = useMutation(trpc.keys.create.mutationOptions());
  const rotate = useMutation(trpc.keys.rotate.mutationOptions());
  const revoke = useMutation(trpc.keys.revoke.mutationOptions());
  const invalidateAfter = useInvalidate();
  const invalidate = () => invalidateAfter('keys');

  const verified = Boolean(customer?.emailVerifiedAt);
  const suspended = customer?.status === 'suspended';
  const canCreate = verified && !suspended;
  const why = suspended ? 'Your account is suspended, so it cannot have new keys.' : !verified ? 'Verify your email first (see the message above).' : undefined;
  const active = keys.data?.filter((k) => k.status === 'active').length ?? 0;
  const newKey = (
    <Button variant="primary" size="sm" onClick={() => setCreating(true)} disabled={!canCreate} title={why}>
      <Plus className="size-4" aria-hidden="true" /> New key
    </Button>
  );

  return (
    <>
      <PageHeader title="API keys" description="Send a key in the X-API-Key header. All your keys share your plan's monthly quota." />
      <Card aria-labelledby="keys-heading">
        <CardHeader
          id="keys-heading"
          title="Your keys"
          description={keys.data ? `${active} active of ${keys.data.length}. A key is shown once, when it is created; only a hash of it is kept.` : 'A key is shown once, when it is created.'}
          actions={newKey}
        />
        {!canCreate && why && <p className="border-b border-zinc-100 px-4 py-2 text-xs text-zinc-600">{why}</p>}
        {keys.isPending ? (
          <LoadingBlock rows={3} label="Loading keys" />
        ) : keys.isError ? (
          <ErrorState message={errorMessage(keys.error)} onRetry={() => void keys.refetch()} />
        ) : keys.data.length === 0 ? (
          <EmptyState title="No keys yet" icon={<KeyRound className="size-5" aria-hidden="true" />} action={canCreate && <Button variant="primary" onClick={() => setCreating(true)}>Create your first key</Button>}>
            A key lets your apps call the API within your quota. Make one per app, so each can be rotated or revoked on its own.
          </EmptyState>
        ) : (
          <KeyTable keys={keys.data} canWrite={!suspended} onRotate={setRotating} onRevoke={setRevoking} />
        )}
      </Card>

      <CreateKeyDialog
        open={creating}
        onOpenChange={setCreating}
        create={(input) => create.mutateAsync(input)}
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
      <RevealKeyDialog revealed={revealed} onClose={() => setRevealed(null)} onTry={(key) => void navigate({ to: '/app/playground', state: { keyHandoff: stashKey(key.key) } })} />
      <RevokeKeyConfirm
        revoking={revoking}
        onClose={() => setRevoking(null)}
        onConfirm={async (key) => {
          await revoke.mutateAsync({ id: key.id });
          await invalidate();
        }}
      />
    </>
  );
}
