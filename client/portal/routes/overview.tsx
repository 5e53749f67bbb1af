import { useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { useState } from 'react';
import { Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { CodeBlock } from '../../ui/components/copy.tsx';
import { ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { TabPanel, Tabs } from '../../ui/components/tabs.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { formatQuota } from '../../ui/lib/format.ts';
import { curlCommand, typedClientSnippet, type PlaygroundRequest } from '../../ui/lib/snippets.ts';
import { QuotaBar } from '../../ui/quota-bar.tsx';
import { UsageReport } from '../../ui/usage-report.tsx';
import { useCustomer } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/app/')({ component: OverviewPage });

const DAYS = 30;

/** This period's quota, the last 30 days of usage, and how to make a first call. */
function OverviewPage() {
  const customer = useCustomer();
  // Usage moves with every call: always ask again when the screen opens, and every 30 s while it is open.
  const overview = useQuery({ ...trpc.usage.overview.queryOptions({ days: DAYS }), staleTime: 0, refetchInterval: 30_000 });
  const o = overview.data;
  return (
    <>
      <PageHeader title="Overview" description={customer ? `Hello ${customer.name}. Your usage this month and over the last ${DAYS} days (UTC).` : undefined} />
      {overview.isError ? (
        <Card>
          <ErrorState message={errorMessage(overview.error)} onRetry={() => void overview.refetch()} />
        </Card>
      ) : (
        <div className="space-y-6">
          <div className="grid grid-cols-1 gap-6 lg:grid-cols-5">
            <Card aria-labelledby="quota-heading" className="lg:col-span-3">
              <CardHeader
                id="quota-heading"
                title="This month's quota"
                description={o ? `${o.quota.tier}: ${formatQuota(o.quota.limit)} requests a month, shared by all your keys` : 'Shared by all your keys'}
                actions={
                  <Link to="/app/plan" className="text-sm font-medium text-brand-700 hover:underline">
                    See plans
                  </Link>
                }
              />
              <div className="p-4">{o ? <QuotaBar used={o.quota.used} limit={o.quota.limit} resetAt={o.quota.resetAt} /> : <LoadingBlock rows={3} label="Loading the quota" />}</div>
            </Card>
            <GettingStarted />
          </div>
          <UsageReport
            usage={o?.analytics}
            days={DAYS}
            empty={
              <>
                Calls with your keys appear here within a second. Create a key on{' '}
                <Link to="/app/keys" className="font-medium text-brand-700 underline">
                  API keys
                </Link>{' '}
                and try it in the{' '}
                <Link to="/app/playground" className="font-medium text-brand-700 underline">
                  playground
                </Link>
                .
              </>
            }
          />
        </div>
      )}
    </>
  );
}

/** A first call, as curl and through the typed client, reading the key from $HARMONIC_KEY. */
function GettingStarted() {
  const [tab, setTab] = useState<'curl' | 'ts'>('curl');
  const request: PlaygroundRequest = { baseUrl: window.location.origin, query: 'rate limiting', sources: ['kb', 'wiki'], limit: 5, apiKey: 'hm_…', revealKey: false };
  return (
    <Card aria-labelledby="start-heading" className="lg:col-span-2">
      <CardHeader
        id="start-heading"
        title="Getting started"
        description={
          <>
            Create a key on{' '}
            <Link to="/app/keys" className="font-medium text-brand-700 underline">
              API keys
            </Link>
            , put it in <code>HARMONIC_KEY</code>, then:
          </>
        }
      />
      <div className="p-4">
        <Tabs
          label="Language"
          value={tab}
          onValueChange={setTab}
          tabs={[
            { value: 'curl', label: 'curl' },
            { value: 'ts', label: 'TypeScript' },
          ]}
        >
          <TabPanel value="curl" className="pt-3">
            <CodeBlock code={curlCommand(request)} label="curl command" />
          </TabPanel>
          <TabPanel value="ts" className="pt-3">
            <CodeBlock code={typedClientSnippet(request)} label="Typed client snippet" />
          </TabPanel>
        </Tabs>
      </div>
    </Card>
  );
}
