import { createLazyRoute, Link, useRouterState } from '@tanstack/react-router';
import { useState } from 'react';
import { PageHeader } from '../../ui/components/card.tsx';
import { peekKey } from '../../ui/lib/handoff.ts';
import { Playground } from '../../ui/playground.tsx';
import { kbEntryIdFromUrl } from '../lib/kb.ts';

export const Route = createLazyRoute('/_app/playground')({ component: PlaygroundPage });

/** The shared playground, its state in the URL, demo mode or any key. */
function PlaygroundPage() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  const handoff = useRouterState({ select: (s) => s.location.state.keyHandoff });
  const [handedOverKey] = useState(() => peekKey(handoff));
  return (
    <>
      <PageHeader title="Playground" description="Call POST /api/v1/data as a customer would, and see the per-source results, the merged list and the rate-limit headers." />
      <Playground
        mode={search.mode}
        onModeChange={(m) => void navigate({ search: (s) => ({ ...s, mode: m }), replace: true, state: (st) => st })}
        initial={{ query: search.query, sources: search.sources, limit: search.limit }}
        handedOverKey={handedOverKey}
        onSent={(body) => void navigate({ search: (s) => ({ ...s, query: body.query, sources: body.sources, limit: body.limit }), replace: true, state: (st) => st })}
        resultLink={(item) => <ResultLink {...item} />}
      />
    </>
  );
}

/** kb results open in the knowledge-base editor here; other sources' links leave in a new tab. */
function ResultLink({ url, title }: { url: string; title: string }) {
  const entryId = kbEntryIdFromUrl(url);
  if (entryId) {
    return (
      <Link to="/kb/$entryId" params={{ entryId }} className="font-medium text-brand-700 hover:underline">
        {title}
      </Link>
    );
  }
  return (
    <a href={url} target="_blank" rel="noopener noreferrer nofollow" className="font-medium text-brand-700 hover:underline">
      {title}
    </a>
  );
}
