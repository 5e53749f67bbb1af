import { useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link, useRouterState } from '@tanstack/react-router';
import { useState } from 'react';
import { PageHeader } from '../../ui/components/card.tsx';
import { peekKey } from '../../ui/lib/handoff.ts';
import { maskKey } from '../../ui/lib/snippets.ts';
import { Playground } from '../../ui/playground.tsx';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/app/playground')({ component: PlaygroundPage });

/**
 * The admin app's playground, with the customer's own keys only: the one just
 * created in this tab, or one pasted, checked against their active keys' masked
 * prefixes (the server keeps no plaintext to compare).
 */
function PlaygroundPage() {
  const handoff = useRouterState({ select: (s) => s.location.state.keyHandoff });
  const [handedOverKey] = useState(() => peekKey(handoff));
  const keys = useQuery(trpc.keys.list.queryOptions());
  const checkKey = (key: string): string | null => {
    if (!keys.data) return null;
    const mine = keys.data.find((k) => k.masked === maskKey(key));
    if (!mine) return 'This is not one of your keys. Paste a key of this account.';
    if (mine.status !== 'active') return `This key is ${mine.status}. Use an active one.`;
    return null;
  };
  return (
    <>
      <PageHeader title="Playground" description="Call POST /api/v1/data with one of your keys, and see the results, the rate-limit headers and the same call in code. Calls count towards your quota." />
      <Playground
        mode="key"
        handedOverKey={handedOverKey}
        checkKey={checkKey}
        keyHint={
          <>
            Paste one of your keys. Keys cannot be shown again: if yours is lost, make a new one on{' '}
            <Link to="/app/keys" className="font-medium text-brand-700 underline">
              API keys
            </Link>
            .
          </>
        }
      />
    </>
  );
}
