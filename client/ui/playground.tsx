import { useMutation } from '@tanstack/react-query';
import { Eye, EyeOff, Send } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { dataQuerySchema, DATA_LIMITS, SOURCE_NAMES, type SourceName, type SourceReport } from '../../shared/data.ts';
import { Button } from './components/button.tsx';
import { Badge, Card, CardHeader, type BadgeTone } from './components/card.tsx';
import { CodeBlock } from './components/copy.tsx';
import { Alert, EmptyState } from './components/feedback.tsx';
import { Checkbox, Field, Input } from './components/field.tsx';
import { Segmented } from './components/segmented.tsx';
import { TabPanel, Tabs } from './components/tabs.tsx';
import { TBody, THead, Table, Td, Th } from './components/table.tsx';
import { errorMessage } from './lib/errors.ts';
import { sentence } from './lib/forms.ts';
import { formatMs } from './lib/format.ts';
import { callDataApi, type PlaygroundResult } from './lib/playground.ts';
import { curlCommand, maskKey, typedClientSnippet } from './lib/snippets.ts';
import { cx } from './components/cx.ts';

const DEFAULT_SOURCES: SourceName[] = ['kb', 'wiki'];
const statusTone: Record<SourceReport['status'], BadgeTone> = { ok: 'green', empty: 'neutral', error: 'red', timeout: 'amber', skipped: 'neutral' };

export type PlaygroundMode = 'demo' | 'key';

/** What was sent, for the app to keep (the admin app puts it in the URL). */
export interface SentRequest {
  query: string;
  sources: SourceName[];
  limit: number;
}

export interface PlaygroundProps {
  mode: PlaygroundMode;
  /** Offers the choice between demo mode and a key; without it, the mode is fixed. */
  onModeChange?: (mode: PlaygroundMode) => void;
  /** The form's starting values. */
  initial?: Partial<SentRequest>;
  /** A key just created in this tab, handed over in memory (lib/handoff.ts). */
  handedOverKey?: string | undefined;
  /** Says why a pasted key cannot be used here, or null when it can (the portal allows only the customer's own keys). */
  checkKey?: (key: string) => string | null;
  /** Called with each request as it is sent. */
  onSent?: (request: SentRequest) => void;
  /** How a result's link is shown (the admin app opens kb results in its editor); by default a link to a new tab. */
  resultLink?: (item: { url: string; title: string }) => ReactNode;
  /** The hint under the key field when no key was handed over. */
  keyHint?: ReactNode;
}

/**
 * Calls POST /api/v1/data as any client would (lib/playground.ts) and shows the
 * answer: the status and rate-limit headers, each source's report, the merged
 * list, and the same call as curl and as typed-client code.
 */
export function Playground({ mode, onModeChange, initial = {}, handedOverKey, checkKey, onSent, resultLink = (item) => <ExternalLink {...item} />, keyHint = 'Paste a key. Harmonic cannot show an existing key again.' }: PlaygroundProps) {
  const [apiKey, setApiKey] = useState(() => handedOverKey ?? '');
  const [handedOver] = useState(() => Boolean(handedOverKey));
  const [showKey, setShowKey] = useState(false);
  const [query, setQuery] = useState(initial.query ?? 'rate limiting');
  const [sources, setSources] = useState<SourceName[]>(initial.sources ?? DEFAULT_SOURCES);
  const [limit, setLimit] = useState(String(initial.limit ?? DATA_LIMITS.defaultResultsPerSource));
  const [revealKey, setRevealKey] = useState(false);
  const [codeTab, setCodeTab] = useState<'curl' | 'ts'>('curl');
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [sent, setSent] = useState<{ key: string | null; query: string; sources: SourceName[]; limit: number } | null>(null);
  const call = useMutation({ mutationFn: (v: { body: unknown; key: string | null }) => callDataApi(v.body, v.key) });

  const send = (e: FormEvent) => {
    e.preventDefault();
    const errors: Record<string, string> = {};
    const parsed = dataQuerySchema.safeParse({ query, sources, limit: Number(limit) });
    if (!parsed.success) for (const i of parsed.error.issues) errors[String(i.path[0] ?? 'query')] ??= sentence(i.message);
    if (mode === 'key') {
      const refused = apiKey.trim() ? (checkKey?.(apiKey.trim()) ?? null) : onModeChange ? 'Paste an API key, or switch to demo mode.' : 'Paste an API key.';
      if (refused) errors['apiKey'] = refused;
    }
    setIssues(errors);
    if (Object.keys(errors).length || !parsed.success) return;
    const key = mode === 'key' ? apiKey.trim() : null;
    const body = { query: parsed.data.query, sources: parsed.data.sources, limit: parsed.data.limit };
    setSent({ key, ...body });
    onSent?.(body);
    call.mutate({ body, key });
  };

  const toggleSource = (s: SourceName, on: boolean) => setSources((cur) => (on ? SOURCE_NAMES.filter((n) => n === s || cur.includes(n)) : cur.filter((n) => n !== s)));
  const snippetInput = sent && { baseUrl: window.location.origin, query: sent.query, sources: sent.sources, limit: sent.limit, apiKey: sent.key, revealKey };

  return (
    <div className="grid grid-cols-1 gap-6 xl:grid-cols-[24rem_minmax(0,1fr)]">
      <Card className="self-start" aria-labelledby="request-heading">
        <CardHeader id="request-heading" title="Request" />
        <form onSubmit={send} noValidate className="space-y-4 p-4">
          {onModeChange && (
            <Segmented
              label="Authentication"
              value={mode}
              onChange={onModeChange}
              options={[
                { value: 'demo', label: 'Demo mode' },
                { value: 'key', label: 'API key' },
              ]}
            />
          )}
          {mode === 'demo' ? (
            <p className="text-sm text-zinc-600">No key: the call is served in demo mode, with a small monthly quota per client IP.</p>
          ) : (
            <Field label="API key" error={issues['apiKey']} hint={handedOver && apiKey ? 'The key you just created, kept in this tab’s memory only.' : keyHint}>
              {(p) => (
                <div className="flex gap-2">
                  <Input {...p} type={showKey ? 'text' : 'password'} value={apiKey} onChange={(e) => setApiKey(e.target.value)} placeholder="hm_…" autoComplete="off" spellCheck={false} className="font-mono text-xs" />
                  <Button onClick={() => setShowKey((v) => !v)} aria-label={showKey ? 'Hide the key' : 'Show the key'} aria-pressed={showKey}>
                    {showKey ? <EyeOff className="size-4" aria-hidden="true" /> : <Eye className="size-4" aria-hidden="true" />}
                  </Button>
                </div>
              )}
            </Field>
          )}
          <Field label="Query" error={issues['query']}>
            {(p) => <Input {...p} value={query} onChange={(e) => setQuery(e.target.value)} maxLength={DATA_LIMITS.queryMaxLength} />}
          </Field>
          <fieldset>
            <legend className="mb-2 text-sm font-medium text-zinc-800">Sources</legend>
            <div className="grid grid-cols-2 gap-2">
              {SOURCE_NAMES.map((s) => (
                <Checkbox key={s} label={s} checked={sources.includes(s)} onChange={(e) => toggleSource(s, e.target.checked)} />
              ))}
            </div>
            {issues['sources'] && <p className="mt-1.5 text-xs font-medium text-red-700">{issues['sources']}</p>}
          </fieldset>
          <Field label="Results per source" error={issues['limit']}>
            {(p) => <Input {...p} type="number" min={1} max={DATA_LIMITS.maxResultsPerSource} value={limit} onChange={(e) => setLimit(e.target.value)} className="max-w-28" />}
          </Field>
          <Button type="submit" variant="primary" className="w-full" pending={call.isPending}>
            <Send className="size-4" aria-hidden="true" /> Send request
          </Button>
        </form>
      </Card>

      <div className="min-w-0 space-y-6">
        {call.isError && <Alert title="The request did not complete">{errorMessage(call.error)}</Alert>}
        {!call.data && !call.isPending && !call.isError && (
          <Card>
            <EmptyState title="No request yet" icon={<Send className="size-5" aria-hidden="true" />}>
              Send a request to see what the API answers.
            </EmptyState>
          </Card>
        )}
        {call.data && <Response result={call.data} pending={call.isPending} resultLink={resultLink} />}
        {snippetInput && (
          <Card aria-labelledby="code-heading">
            <CardHeader
              id="code-heading"
              title="The same call in code"
              description={sent?.key ? `With key ${maskKey(sent.key)}` : 'Demo mode (no key)'}
              actions={sent?.key && <Checkbox label="Include the key" checked={revealKey} onChange={(e) => setRevealKey(e.target.checked)} />}
            />
            <div className="p-4">
              <Tabs
                label="Language"
                value={codeTab}
                onValueChange={setCodeTab}
                tabs={[
                  { value: 'curl', label: 'curl' },
                  { value: 'ts', label: 'TypeScript (typed client)' },
                ]}
              >
                <TabPanel value="curl" className="pt-3">
                  <CodeBlock code={curlCommand(snippetInput)} label="curl command" />
                </TabPanel>
                <TabPanel value="ts" className="pt-3">
                  <CodeBlock code={typedClientSnippet(snippetInput)} label="Typed client snippet" />
                </TabPanel>
              </Tabs>
            </div>
          </Card>
        )}
      </div>
    </div>
  );
}

function Response({ result, pending, resultLink }: { result: PlaygroundResult; pending: boolean; resultLink: (item: { url: string; title: string }) => ReactNode }) {
  const ok = result.status >= 200 && result.status < 300;
  return (
    <div className={cx('space-y-6', pending && 'opacity-60')} aria-busy={pending}>
      <Card aria-labelledby="response-heading">
        <CardHeader
          id="response-heading"
          title={
            <span className="flex items-center gap-2">
              Response
              <Badge tone={ok ? 'green' : result.status === 429 ? 'amber' : 'red'} className="font-mono">
                HTTP {result.status}
              </Badge>
            </span>
          }
          description={`${formatMs(result.ms)} round trip${result.answer ? `, ${formatMs(result.answer.tookMs)} on the server` : ''}`}
        />
        {result.error && (
          <div className="border-b border-zinc-100 p-4">
            <Alert title={result.error.code}>{result.error.message}</Alert>
          </div>
        )}
        <Table label="Rate-limit headers">
          <THead>
            <tr>
              <Th>Header</Th>
              <Th>Value</Th>
            </tr>
          </THead>
          <TBody>
            {result.headers.map((h) => (
              <tr key={h.name}>
                <Td className="font-mono text-xs text-zinc-600">{h.name}</Td>
                <Td className="font-mono text-xs text-zinc-900" data-header={h.name}>
                  {h.value}
                </Td>
              </tr>
            ))}
          </TBody>
        </Table>
      </Card>

      {result.answer && (
        <>
          <Card aria-labelledby="sources-heading">
            <CardHeader id="sources-heading" title="Per source" description="What each source did for this query" />
            <ul className="divide-y divide-zinc-100">
              {Object.values(result.answer.sources).map((r) => (
                <li key={r.source} className="px-4 py-3" data-source={r.source}>
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-mono text-sm font-medium">{r.source}</span>
                    <Badge tone={statusTone[r.status]}>{r.status}</Badge>
                    <span className="text-xs text-zinc-500">
                      {r.count} result{r.count === 1 ? '' : 's'} · {formatMs(r.tookMs)}
                      {r.cached ? ' · cached' : ''}
                    </span>
                  </div>
                  {(r.error ?? r.message) && <p className="mt-1 text-sm text-zinc-600">{r.error ?? r.message}</p>}
                  {r.items.length > 0 && (
                    <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm">
                      {r.items.map((item) => (
                        <li key={item.url}>
                          {resultLink(item)}
                        </li>
                      ))}
                    </ol>
                  )}
                </li>
              ))}
            </ul>
          </Card>
          <Card aria-labelledby="merged-heading">
            <CardHeader id="merged-heading" title="Merged" description="Every source's results, ranked together (reciprocal rank fusion) and deduplicated by URL" />
            {result.answer.merged.length === 0 ? (
              <EmptyState title="No results" />
            ) : (
              <ol className="divide-y divide-zinc-100" aria-label="Merged results">
                {result.answer.merged.map((m, i) => (
                  <li key={m.url} className="flex gap-3 px-4 py-3">
                    <span className="w-6 shrink-0 text-right text-sm tabular-nums text-zinc-400">{i + 1}</span>
                    <div className="min-w-0 flex-1">
                      {resultLink(m)}
                      {m.snippet && <p className="mt-0.5 line-clamp-2 text-sm text-zinc-600">{m.snippet}</p>}
                      <div className="mt-1 flex flex-wrap items-center gap-1">
                        {m.foundIn.map((s) => (
                          <Badge key={s} className="font-mono">
                            {s}
                          </Badge>
                        ))}
                        <span className="text-xs text-zinc-400">score {m.score.toFixed(4)}</span>
                      </div>
                    </div>
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </>
      )}
    </div>
  );
}

/** A result's page, opened in a new tab. */
function ExternalLink({ url, title }: { url: string; title: string }) {
  return (
    <a href={url} target="_blank" rel="noopener noreferrer nofollow" className="font-medium text-brand-700 hover:underline">
      {title}
    </a>
  );
}
