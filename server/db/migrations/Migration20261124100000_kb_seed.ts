import { Migration } from '@mikro-orm/migrations';

interface SeedEntry {
  id: string;
  title: string;
  tags: string[];
  /** Markdown. */
  body: string;
}

/**
 * The knowledge base every installation starts with, so the `kb` source
 * answers offline from the first start: Harmonic's own documentation and
 * general reference for people building on an API. Admins may edit or delete
 * these entries; ids are fixed so `down` removes exactly these rows.
 */
export const KB_SEED: readonly SeedEntry[] = [
  {
    id: '09a7feae-7595-5fc3-b027-37261d642925',
    title: 'Authenticating with an API key',
    tags: ['harmonic', 'authentication', 'api keys'],
    body: `Every keyed call to Harmonic carries the key in the \`X-API-Key\` request header:

\`\`\`sh
curl -X POST https://api.example.com/api/v1/data \\
  -H 'X-API-Key: hm_…' \\
  -H 'Content-Type: application/json' \\
  -d '{"query": "rate limiting", "sources": ["kb", "wiki"]}'
\`\`\`

- A key is \`hm_\` followed by 32 letters and digits.
- The key is shown once, when it is created or rotated. Harmonic stores only a bcrypt hash of it, so nobody can show it to you again; if it is lost, rotate it.
- An unknown, mistyped, revoked or expired key is answered with **401** and always the same body, so a caller cannot probe which keys exist.
- Send keys only over HTTPS, and never in a URL: URLs end up in logs, browser history and \`Referer\` headers.`,
  },
  {
    id: '8b64b6ed-d984-5477-9a87-7eb80f3746e9',
    title: 'API key format and checksum',
    tags: ['harmonic', 'api keys', 'security'],
    body: `Harmonic keys look like \`hm_\` plus 32 characters from \`[A-Za-z0-9]\`, drawn from a cryptographically secure random generator. The 32 characters hold three parts:

1. a **lookup id**, not secret, stored in clear with a unique index, so the server finds the key's row without scanning;
2. the **secret**, which only the holder knows;
3. a short **checksum**, so a mistyped or made-up key is refused before the database is touched.

The whole key is stored only as a bcrypt hash. Because bcrypt is deliberately slow, verified keys are cached in memory, keyed by a SHA-256 digest of the key (never the key itself); failed verifications are cached briefly too, so a flood of bad keys costs no bcrypt work. Key listings show a masked prefix such as \`hm_AbCd1234…\`.`,
  },
  {
    id: 'cb14fcd0-fd7f-5dec-9192-c8e8b93ac2f3',
    title: 'Quotas and billing periods',
    tags: ['harmonic', 'quotas', 'billing'],
    body: `A quota belongs to a **user**, not to a key: all of a user's keys share one monthly allowance, set by the user's tier.

| Tier | Requests per month | Price |
|---|---|---|
| Free | 1,000 | $0 |
| Pro | 10,000 | $29 |
| Enterprise | unlimited | negotiated |

- A period is a **calendar month in UTC**. Counting starts again at 00:00 UTC on the first day of the next month.
- Enterprise calls are unlimited but still counted, so usage reports stay complete.
- Admission is exact: the counter is checked and incremented in one PostgreSQL statement, so concurrent calls across many server instances can never overshoot the quota.
- A call answered from Harmonic's cache still counts: you pay for the answer, not for the upstream work.`,
  },
  {
    id: '90896e45-9592-5494-a05a-42605264a372',
    title: 'Rate-limit headers on every response',
    tags: ['harmonic', 'headers', 'quotas', 'rate limiting'],
    body: `Every keyed (and demo) response, successful or not, tells the caller where it stands:

| Header | Meaning |
|---|---|
| \`X-RateLimit-Limit\` | The monthly quota, or \`unlimited\` |
| \`X-RateLimit-Used\` | Calls counted so far this period |
| \`X-RateLimit-Remaining\` | Calls left this period |
| \`X-RateLimit-Reset\` | Start of the next period, ISO 8601 (UTC) |
| \`X-User-Id\` | The user the key belongs to |
| \`X-Response-Time\` | Server time spent, in milliseconds |
| \`X-Demo-Mode\` | \`true\` on keyless demo calls |

Harmonic also sends the \`RateLimit-Policy\` and \`RateLimit\` fields of the IETF draft *RateLimit header fields for HTTP* (draft-ietf-httpapi-ratelimit-headers), which describe the same quota in a standard, machine-readable form. Clients should read the remaining count from these headers instead of counting calls themselves.`,
  },
  {
    id: 'bb389f69-c21c-5d36-bc8d-9b733beed71d',
    title: 'What happens over quota: 429 and Retry-After',
    tags: ['harmonic', 'quotas', 'errors', '429'],
    body: `When a user has used the whole monthly quota, the next call is refused with **429 Too Many Requests**:

\`\`\`json
{ "error": { "code": "QUOTA_EXCEEDED", "message": "…", "limit": 1000, "used": 1000, "resetAt": "2026-12-01T00:00:00.000Z" } }
\`\`\`

- The body names the limit, the used count and the reset time.
- \`Retry-After\` gives the number of **seconds** until the quota resets.
- The rate-limit headers are present on the 429 too.

What to do: stop sending until the reset time, or move the user to a larger tier. Retrying sooner only produces more 429s; a well-behaved client sleeps until \`Retry-After\` has passed.`,
  },
  {
    id: '5e34574f-f042-5106-b0d7-96bf9994f2cc',
    title: 'Demo mode: trying the API without a key',
    tags: ['harmonic', 'demo', 'authentication'],
    body: `\`POST /api/v1/data\` without an \`X-API-Key\` header is served in **demo mode**, so anyone can try the API from a terminal or the playground.

- Demo calls are metered per **client IP address** against a demo quota, by default the Free tier's (1,000 calls a month).
- Demo responses carry \`X-Demo-Mode: true\` and the usual rate-limit headers.
- An operator can switch demo mode off in the configuration; keyless calls then get 401.
- A request with a **bad** key never falls back to demo mode: it gets 401. Only a request with no key at all is a demo call.

Behind a load balancer, set \`TRUST_PROXY=true\` so Harmonic reads the client address from \`X-Forwarded-For\` instead of metering the proxy.`,
  },
  {
    id: '3cb300f8-d3a7-5608-9d59-f71efdd5b36f',
    title: 'Rotating an API key',
    tags: ['harmonic', 'api keys', 'security'],
    body: `Rotation replaces a key with a new one for the same owner, without downtime:

1. Call rotate on the old key (REST: \`POST /api/v1/keys/{id}/rotate\`). The response contains the new key, shown **once**.
2. Choose what happens to the old key: it stops **at once**, or after a **grace period** you pick, of at most 24 hours, so deployed clients can switch over.
3. Deploy the new key everywhere, then let the grace period run out.

The old key records which key replaced it. Rotate on a schedule, whenever someone who knew a key leaves, and immediately when a key may have leaked (in that case with no grace period).`,
  },
  {
    id: 'a69c25ff-49e3-5aab-8443-a4e74510ee00',
    title: 'Revoking an API key',
    tags: ['harmonic', 'api keys', 'security'],
    body: `Revoking a key (REST: \`DELETE /api/v1/keys/{id}\`) takes effect **immediately**: the next call with it gets 401.

Harmonic caches verified keys in memory for speed, so revocation is broadcast to every server instance that shares the database (PostgreSQL \`LISTEN\`/\`NOTIFY\`); all instances refuse the key within one second. The same applies to rotation, expiry, suspension of the key's owner and a change of the owner's tier.

Revocation cannot be undone: create a new key instead. Usage recorded for a revoked key stays in the usage ledger.`,
  },
  {
    id: '8ef55f63-3897-5582-9386-51c8f4d8ce27',
    title: 'The error format',
    tags: ['harmonic', 'errors', 'rest'],
    body: `Every REST error has the same JSON shape:

\`\`\`json
{ "error": { "code": "VALIDATION_FAILED", "message": "query: must not be empty" } }
\`\`\`

| Status | When |
|---|---|
| 400 | Invalid input; the message names the failing field |
| 401 | Missing, malformed, unknown, revoked or expired key |
| 403 | The key's user is suspended |
| 404 | No such resource or route |
| 405 | Method not allowed on this route |
| 413 | Request body too large |
| 429 | Quota exceeded (with \`Retry-After\`) |
| 500 | An unexpected fault; the message never carries internal details |

Clients should branch on the HTTP status and the \`code\`, and show the \`message\` to people. Bad input is always a 4xx, never a 500.`,
  },
  {
    id: 'd2c1389c-dff6-5728-9dba-e4330e71c5c2',
    title: 'Querying /api/v1/data',
    tags: ['harmonic', 'data', 'rest', 'sources'],
    body: `\`POST /api/v1/data\` takes a JSON body:

\`\`\`json
{ "query": "weather in London", "sources": ["weather", "kb"], "limit": 5 }
\`\`\`

- \`query\`: 1 to 500 characters (leading and trailing spaces are trimmed).
- \`sources\`: one name or a list of at most 5, from \`wiki\`, \`arxiv\`, \`news\`, \`weather\` and \`kb\`. Omitted means all five. An unknown name gets **400**, and the message lists the valid ones.
- \`limit\`: results **per source**, default 5, at most 20.

\`GET /api/v1/data\` describes the service and the available sources without authentication, and \`OPTIONS /api/v1/data\` explains how to authenticate, the quotas, and gives examples. The same query is available to TypeScript apps through the typed client, with the same answer shape.`,
  },
  {
    id: 'f99080e2-d1a9-5e27-8af9-e82ae5846abb',
    title: 'Reading a data answer',
    tags: ['harmonic', 'data', 'sources'],
    body: `A data answer has one **report per source** and one **merged** list:

\`\`\`json
{
  "query": "weather in London",
  "sources": {
    "weather": { "source": "weather", "status": "ok", "tookMs": 212, "count": 1, "cached": false, "error": null, "message": null, "items": [ … ] },
    "news": { "source": "news", "status": "timeout", "tookMs": 3001, "count": 0, "cached": false, "error": "No answer within 3000 ms.", "message": null, "items": [] }
  },
  "merged": [ … ],
  "cachedSources": [],
  "tookMs": 3004
}
\`\`\`

- \`status\` is \`ok\` (items found), \`empty\` (nothing found; \`message\` may say why), \`error\`, \`timeout\` or \`skipped\` (not called, e.g. the upstream asked us to back off); \`error\` explains the last three in words.
- Every item has \`title\`, \`snippet\` (plain text), \`url\`, \`source\`, \`publishedAt\`, \`updatedAt\` and a typed \`extra\` whose \`kind\` says which fields it holds (\`wiki\`, \`arxiv\`, \`hn\`, \`gdelt\`, \`weather\`, \`kb\`).
- One failing or slow source never fails the request; the others still answer.`,
  },
  {
    id: '249d8dfa-2a00-562c-a59f-dd33f4b3d4fd',
    title: 'The five data sources',
    tags: ['harmonic', 'sources'],
    body: `| Source | Upstream | What an item is |
|---|---|---|
| \`wiki\` | Wikipedia REST search plus page summaries | An article: lead paragraph, description, thumbnail, coordinates |
| \`arxiv\` | The arXiv API (Atom feed) | A paper: authors, categories, abstract, PDF link, DOI |
| \`news\` | Hacker News search (Algolia), or GDELT if the operator chooses | A story: points, comments, discussion link; or an article with its outlet |
| \`weather\` | Open-Meteo geocoding and forecast | The place named in the query: current conditions and the daily forecast, with units |
| \`kb\` | This server's knowledge base (PostgreSQL full-text search) | An entry, with the matching passage highlighted |

None of the public upstreams needs a key. Each source has its own timeout (3 s by default) and cache lifetime, and an operator can disable any of them with \`SOURCES_DISABLED\`.`,
  },
  {
    id: 'fff37cef-f61a-5fe3-8885-29c5dd519552',
    title: 'How merged results are ranked: reciprocal rank fusion',
    tags: ['harmonic', 'ranking', 'search', 'fusion'],
    body: `The \`merged\` list combines every source's results with **reciprocal rank fusion** (RRF; Cormack, Clarke and Büttcher, SIGIR 2009). Each result gets, for every source that returned it,

    score = Σ 1 / (k + rank)     with k = 60 and rank counted from 1

and the list is sorted by that score.

- RRF needs no comparable scores: PostgreSQL's \`ts_rank\`, Algolia's relevance and arXiv's ordering are on unrelated scales, but ranks are always comparable.
- Agreement is rewarded: a page found by two sources outscores a page found by one.
- k = 60 damps the difference between first and second place, so no single source dominates.

Results are **deduplicated by URL** after normalising it (http and https, \`www.\` and mobile hosts, fragments and tracking parameters are ignored; arXiv versions fold into the paper). A merged item keeps \`foundIn\`, the list of every source that returned it. Ties go to the better single rank, then to the source asked for first.`,
  },
  {
    id: '8f1959f2-4ea5-5326-8a07-12e5351cb1a9',
    title: 'Caching of source answers',
    tags: ['harmonic', 'caching', 'sources'],
    body: `Harmonic caches each source's answer for an identical question: the same source, the same normalised query (case, Unicode form and spacing ignored) and the same options (\`limit\`).

| Source | Default lifetime | Variable |
|---|---|---|
| weather | 10 minutes | \`WEATHER_CACHE_TTL_S\` |
| wiki, arxiv, news | 1 hour | \`SOURCE_CACHE_TTL_S\` (or \`WIKI_\`, \`ARXIV_\`, \`NEWS_CACHE_TTL_S\`) |
| kb | 1 minute | \`KB_CACHE_TTL_S\` |

- Only \`ok\` and \`empty\` answers are cached; errors and timeouts never are, so a failure is retried on the next call.
- The cache is bounded (\`SOURCE_CACHE_MAX_ENTRIES\`, \`SOURCE_CACHE_MAX_MB\`) and evicts the least recently used answers.
- A cached report has \`"cached": true\`, and the answer lists those sources in \`cachedSources\`.
- A cached answer still counts toward the quota.`,
  },
  {
    id: 'abbfee3b-6a83-51ef-8f09-6b05c493efb6',
    title: 'Timeouts and partial results',
    tags: ['harmonic', 'sources', 'reliability', 'timeouts'],
    body: `All requested sources are queried **in parallel**, each under its own timeout (\`SOURCE_TIMEOUT_MS\`, 3000 ms by default; \`WIKI_TIMEOUT_MS\`, \`ARXIV_TIMEOUT_MS\` and so on override it per source). The timeout is enforced with an \`AbortSignal\`, which cancels the upstream HTTP request, or the PostgreSQL query for the knowledge base, instead of merely ignoring it.

So a whole answer takes about as long as the slowest source, never longer than the largest timeout. A source that times out reports \`"status": "timeout"\`; one that fails reports \`"status": "error"\` with a readable reason, such as \`arXiv answered HTTP 400: incorrect id format for abc\`. The other sources' results are returned as usual. If the client disconnects, sources still running are stopped.`,
  },
  {
    id: 'e4dd5dd9-669b-57b1-86ab-9aca6e31b4b7',
    title: 'The weather source: how the place is found',
    tags: ['harmonic', 'weather', 'sources'],
    body: `The weather source reads a place from the query, geocodes it with Open-Meteo, then fetches current conditions and a daily forecast (7 days by default).

- A phrase after *in*, *at*, *for*, *near* or *around* is the place: "weather in London tomorrow" → London; "what's it like in New York this weekend?" → New York.
- Otherwise, weather words, times and filler are trimmed from both ends: "Tokyo temperature and humidity" → Tokyo.
- Text after a comma picks between places of the same name: "London, Canada", "Springfield, IL".
- Without any weather word, only a place of exactly that name counts, so a query like "Java" does not fetch the weather of some village.

A query that names no findable place answers \`"status": "empty"\` with a message such as *No place called "Zzyzx" was found*; it is not an error. Units come from Open-Meteo (°C and km/h by default; \`WEATHER_TEMPERATURE_UNIT\`, \`WEATHER_WIND_SPEED_UNIT\`).`,
  },
  {
    id: 'e4a16b35-2f35-5300-9d54-88c5a1c98c3a',
    title: 'Upstream politeness',
    tags: ['harmonic', 'sources', 'politeness', 'rate limiting'],
    body: `Harmonic calls public APIs run by others, and behaves accordingly:

- **User-Agent**: every call sends \`Harmonic/<version> (+<contact>)\`. Set \`SOURCE_CONTACT_URL\` to a page or \`mailto:\` address where the upstream can reach the operator; Wikimedia and arXiv ask for this.
- **Retry-After**: an upstream answering 429 or 503 with \`Retry-After\` (seconds or an HTTP date) is not called again until then; meanwhile its source reports \`skipped\`, saying until when. A 429 without \`Retry-After\` pauses the upstream for \`SOURCE_BACKOFF_DEFAULT_S\` (60 s).
- **Concurrency**: at most \`SOURCE_MAX_CONCURRENCY\` calls (4) in flight per upstream; arXiv and GDELT get 1.
- **Spacing**: arXiv asks for at most one request every 3 seconds, GDELT one every 5; calls to them are spaced out (\`ARXIV_MIN_INTERVAL_MS\`, \`GDELT_MIN_INTERVAL_MS\`).
- **Caching** keeps repeated questions away from the upstreams altogether.`,
  },
  {
    id: '16650041-963e-5f22-ab87-708e243a2cb5',
    title: 'Using the TypeScript client',
    tags: ['harmonic', 'typescript', 'sdk', 'trpc'],
    body: `TypeScript applications can call Harmonic through its typed client instead of hand-written \`fetch\` calls:

\`\`\`ts
const harmonic = createHarmonicClient({ baseUrl: 'https://api.example.com', apiKey: process.env.HARMONIC_API_KEY });
\`\`\`

The client is built on tRPC and infers every input and output type from the server's router, so a misspelt source name or a wrong field is a compile-time error. It sends the key in the \`X-API-Key\` header and returns exactly the same answer shape as \`POST /api/v1/data\`. Keep the key on the server side of your application; a key shipped to a browser is a key published.`,
  },
  {
    id: 'e1c3743b-87d9-5a5d-9b7f-20674d998fc8',
    title: 'Checking your usage',
    tags: ['harmonic', 'usage', 'analytics', 'rest'],
    body: `Every admitted call is written to a usage ledger: user, key, endpoint, method, sources, status, response time and time. You can read your own usage with your key:

- \`GET /api/v1/usage?action=current\` — the current period: quota, calls used and remaining, and when it resets.
- \`GET /api/v1/usage?action=analytics&days=30\` — a daily breakdown for the last N days, broken down by endpoint, source and status, with average and p95 response times.

Work done outside Harmonic can be metered too: \`POST /api/v1/usage/track\` records a usage event for your own user (endpoint, source, units), admitted and counted against the quota exactly like a call.`,
  },
  {
    id: '1224c2d8-3bba-5eba-82dd-381648a38e58',
    title: 'Running Harmonic yourself',
    tags: ['harmonic', 'self-hosting', 'operations'],
    body: `Harmonic is one Node.js package. On a machine with Node.js 22 and npm:

\`\`\`sh
npm install && npm start
\`\`\`

starts it at http://localhost:3000 on an **embedded PostgreSQL** kept in \`./data\` (set \`HARMONIC_DATA_DIR\` to move it). To use an existing PostgreSQL instead, set \`DATABASE_URL=postgres://…\`; any number of Harmonic instances can share one database. Migrations run automatically at start.

Health checks: \`GET /healthz\` answers 200 while the process is up; \`GET /readyz\` answers 200 when the database responds within 2 seconds and 503 otherwise. On SIGTERM, Harmonic stops accepting requests, drains those in flight, flushes buffered usage and closes the database before exiting.`,
  },
  {
    id: 'd3ce63d9-974f-51e1-8f97-080d9a500043',
    title: 'The OpenAPI document',
    tags: ['harmonic', 'openapi', 'rest', 'documentation'],
    body: `Harmonic describes all of \`/api/v1\` in an **OpenAPI 3.1** document at \`/api/v1/openapi.json\`, generated from the same zod schemas that validate requests, so it cannot drift from what the server accepts. An interactive reference page is served next to it.

Use the document to generate clients in other languages, to import the API into tools such as Postman or Insomnia, or to validate requests in tests.`,
  },
  {
    id: '5ff30483-8342-57a9-8035-091a132ff2a3',
    title: 'HTTP status codes an API client should handle',
    tags: ['http', 'reference', 'errors'],
    body: `| Code | Meaning | What a client should do |
|---|---|---|
| 200 OK | Success with a body | Use it |
| 201 Created | A resource was created | Read its location or body |
| 204 No Content | Success, no body | Nothing to parse |
| 304 Not Modified | Your cached copy is still valid | Use the cache |
| 400 Bad Request | The request is invalid | Fix it; do not retry unchanged |
| 401 Unauthorized | Missing or invalid credentials | Check the key |
| 403 Forbidden | Authenticated but not allowed | Do not retry |
| 404 Not Found | No such resource | Do not retry |
| 409 Conflict | Conflicts with current state | Re-read, then decide |
| 413 Content Too Large | Body too big | Send less |
| 422 Unprocessable Content | Well-formed but semantically invalid | Fix the data |
| 429 Too Many Requests | Rate limit or quota reached | Wait for \`Retry-After\` |
| 500 Internal Server Error | Server fault | Retry later, with backoff |
| 502 / 504 | A gateway got a bad or no answer upstream | Retry with backoff |
| 503 Service Unavailable | Temporarily overloaded or down | Honour \`Retry-After\` |

The semantics are defined in RFC 9110 (HTTP Semantics); 429 comes from RFC 6585.`,
  },
  {
    id: 'cef74fb5-6e8c-594d-a030-a7039d86a317',
    title: 'Rate-limiting algorithms compared',
    tags: ['rate limiting', 'algorithms', 'reference'],
    body: `- **Fixed window**: count calls per window (e.g. per minute) and reset at the boundary. Simple and cheap, but a client can send twice the limit around a boundary.
- **Sliding log**: keep the timestamp of every call and count those within the last window. Exact, but memory grows with the limit.
- **Sliding window counter**: weight the previous window's count by how much of it still overlaps the sliding window, plus the current count. Close to exact with two counters.
- **Token bucket**: a bucket holds up to *b* tokens and refills at *r* per second; each call takes one. Allows bursts up to *b* while holding the long-run rate at *r*.
- **Leaky bucket**: calls join a queue drained at a constant rate; smooths bursts into a steady flow, at the cost of delay.

Monthly quotas, like Harmonic's, are a fixed window of one calendar month enforced exactly in the database; short-term rate limits usually use a token bucket.`,
  },
  {
    id: '0b469f11-c3eb-5c36-981f-e1241b7fe422',
    title: 'Retrying with exponential backoff and jitter',
    tags: ['reliability', 'retries', 'http', 'reference'],
    body: `Retry only what can succeed on a second try: network errors, timeouts, **429**, **502**, **503** and **504**, and only for requests that are safe to repeat (idempotent methods, or requests carrying an idempotency key). Never retry 400, 401, 403 or 404 unchanged.

1. If the response has \`Retry-After\`, wait exactly that long.
2. Otherwise wait \`random(0, min(cap, base × 2^attempt))\` — exponential backoff with **full jitter**. The randomness spreads retries out so many clients do not retry in lockstep.
3. Give up after a few attempts (typically 3–5) or an overall deadline, and report the failure.

Example with base 100 ms and cap 10 s: the waits are drawn from 0–100 ms, 0–200 ms, 0–400 ms, 0–800 ms and so on.`,
  },
  {
    id: '41dc4c10-061e-522f-8f40-47dff06991f6',
    title: 'API key hygiene',
    tags: ['security', 'api keys', 'best practices'],
    body: `- **Keep keys out of source code.** Load them from environment variables or a secret manager; add \`.env\` files to \`.gitignore\`.
- **Never put a key in a URL**: URLs are logged by servers and proxies and leak through browser history and \`Referer\` headers. Use a header such as \`X-API-Key\` or \`Authorization\`.
- **Keep keys on servers.** Anything shipped to a browser or a mobile app can be extracted; put a backend between the client and the API.
- **One key per application and environment**, so one can be revoked without breaking the rest, and usage is attributable.
- **Rotate** on a schedule and whenever someone with access leaves; **revoke** at once if a key may have leaked.
- **Store only hashes** on the server side, and compare secrets in constant time.
- Turn on secret scanning in your repository host; keys pushed to public repositories are often found by bots within minutes.`,
  },
  {
    id: 'a707ff71-8479-5228-b4bc-e1fc20d90bf4',
    title: 'Pagination: offset versus cursor',
    tags: ['api design', 'pagination', 'reference'],
    body: `**Offset pagination** (\`?limit=20&offset=40\`) is simple and lets a client jump to any page, but the database still walks past every skipped row, so deep pages get slow, and rows inserted or deleted between requests shift pages (duplicates or gaps).

**Cursor (keyset) pagination** (\`?limit=20&after=<cursor>\`) returns an opaque cursor encoding the last row's sort key, and the next page is \`WHERE (created_at, id) < (:c, :i) ORDER BY created_at DESC, id DESC LIMIT 20\`. It uses an index, stays fast at any depth and is stable under concurrent writes, but cannot jump to page N.

Either way: always sort by a unique key (add the id as a tie-breaker), cap the page size, and consider advertising the next page in a \`Link\` header (RFC 8288) or a \`next\` field.`,
  },
  {
    id: '2afd8159-477a-54d7-a006-409e6701c655',
    title: 'Idempotency and the Idempotency-Key header',
    tags: ['http', 'api design', 'reliability', 'reference'],
    body: `A request is **idempotent** if sending it twice has the same effect as sending it once. In HTTP (RFC 9110), \`GET\`, \`HEAD\`, \`OPTIONS\`, \`PUT\` and \`DELETE\` are idempotent; \`POST\` and \`PATCH\` are not.

Idempotency matters because networks fail after the server acted but before the client heard back. To make a \`POST\` safe to retry, the client sends a unique **\`Idempotency-Key\`** header (for example a UUID) with it, and the server stores the first response under that key and replays it for any repeat, instead of acting twice. The header is being standardised by the IETF (draft-ietf-httpapi-idempotency-key-header) and is widely used by payment APIs.

Servers should scope keys per client, keep them for a bounded time (often 24 hours) and refuse a reused key with a different body.`,
  },
  {
    id: 'd4cf8722-1c7b-5348-9dd9-acfa536ed095',
    title: 'HTTP caching headers',
    tags: ['http', 'caching', 'reference'],
    body: `- **\`Cache-Control\`** (RFC 9111) is the main control: \`max-age=N\` (fresh for N seconds), \`s-maxage=N\` (for shared caches), \`no-cache\` (store, but revalidate before each use), \`no-store\` (never store), \`private\` (only the user's own cache), \`public\`, and \`stale-while-revalidate=N\`.
- **Validators** let a client check a stale copy cheaply: the server sends an \`ETag\` (or \`Last-Modified\`); the client sends \`If-None-Match\` (or \`If-Modified-Since\`); an unchanged resource is answered **304 Not Modified** with no body.
- **\`Vary\`** lists the request headers a response depends on (for example \`Accept-Encoding\` or \`Authorization\`), so caches do not serve one client's variant to another.

Responses that depend on an API key should be \`private\` or \`no-store\`, so a shared cache never hands them to someone else.`,
  },
  {
    id: '28dc63bc-ce77-52b0-8386-683c4fbf64a3',
    title: 'PostgreSQL full-text search in brief',
    tags: ['postgresql', 'search', 'full-text search', 'reference'],
    body: `- \`to_tsvector('english', text)\` turns text into a **tsvector**: normalised lexemes ("running" → "run") with positions, stop words removed.
- A **tsquery** is the question. \`websearch_to_tsquery\` accepts what people type: words are ANDed, \`"quoted text"\` is a phrase, \`or\` means OR, and \`-word\` excludes.
- \`document @@ query\` tests for a match; a **GIN index** on the tsvector makes that fast.
- \`setweight(vector, 'A')\` marks where words came from; \`ts_rank\` (or \`ts_rank_cd\`) scores matches, by default weighting A, B, C and D as 1.0, 0.4, 0.2 and 0.1.
- \`ts_headline\` returns the best passage with matches marked (\`StartSel\`, \`StopSel\`, \`MaxWords\`, \`MaxFragments\`).
- Keep the tsvector in a **stored generated column** (PostgreSQL 12+) so it can never go stale.

Harmonic's knowledge base does exactly this: title weighted A, tags B, body C, ranked with \`ts_rank\`, highlighted with \`ts_headline\`.`,
  },
  {
    id: 'd2277bf6-7490-5a30-bf38-e5020e1d36d4',
    title: 'Reciprocal rank fusion explained',
    tags: ['search', 'ranking', 'fusion', 'reference'],
    body: `Reciprocal rank fusion (RRF) merges several ranked lists into one without needing their scores. For a document *d* and rankers *R*:

    RRF(d) = Σ over r in R of 1 / (k + rank_r(d))

with ranks counted from 1 and documents missing from a list contributing nothing. Cormack, Clarke and Büttcher introduced it at SIGIR 2009, with k = 60, and found that it outperformed Condorcet fusion and individual learning-to-rank methods in their experiments.

Why it works: it uses only ranks, so scores on incomparable scales (BM25, cosine similarity, popularity) do not matter; documents several systems agree on rise; and the constant k flattens the top of each list so one system's first place cannot dominate. It is the usual way to combine keyword and vector search in hybrid search systems.`,
  },
  {
    id: 'fdb1cde5-7498-52ea-bb4c-82fc78a14539',
    title: 'Dates and times in APIs',
    tags: ['api design', 'dates', 'reference'],
    body: `- Send instants as **ISO 8601 / RFC 3339** strings in **UTC**: \`2026-07-02T09:30:00Z\`. The \`Z\` (or an explicit offset like \`+01:00\`) is required; a time without a zone is ambiguous.
- Keep local wall-clock times only where they mean something locally (a shop's opening hours, a daily weather forecast), and then also give the IANA time zone (\`Europe/London\`), not just an offset, because offsets change with daylight saving time.
- Dates without a time are \`YYYY-MM-DD\`.
- Store \`timestamptz\` in PostgreSQL: it stores the instant and converts on output.
- Avoid Unix timestamps in public APIs unless the unit (seconds or milliseconds) is unmistakable.

Harmonic's answers follow this: \`publishedAt\` and \`updatedAt\` are UTC instants; the weather forecast's days are local dates at the place, with its time zone.`,
  },
  {
    id: '32cdbd0d-8a50-5b27-88d2-e89794e69864',
    title: 'CORS for API providers',
    tags: ['http', 'cors', 'security', 'reference'],
    body: `Browsers block JavaScript from reading responses from another origin unless the server allows it with **CORS** headers.

- A simple request gets the response if it carries \`Access-Control-Allow-Origin\` matching the page's origin (or \`*\`).
- Requests with custom headers such as \`X-API-Key\`, or with JSON bodies, trigger a **preflight**: an \`OPTIONS\` request with \`Access-Control-Request-Method\` and \`Access-Control-Request-Headers\`, which the server must answer with \`Access-Control-Allow-Methods\` and \`Access-Control-Allow-Headers\`.
- \`Access-Control-Max-Age\` lets browsers cache the preflight.
- With credentials (cookies), \`Access-Control-Allow-Origin\` cannot be \`*\`; it must name the origin, and \`Access-Control-Allow-Credentials: true\` must be sent.

CORS is not authentication: it only controls what browsers let pages read. And an API key used from browser JavaScript is visible to every user of that page.`,
  },
  {
    id: 'ff3a564b-cc1f-59fe-a05f-dd5dda0a3e05',
    title: 'Cancelling requests with AbortSignal',
    tags: ['javascript', 'node.js', 'timeouts', 'reference'],
    body: `\`fetch\` in browsers and Node.js accepts an **\`AbortSignal\`**; aborting it cancels the request and rejects the promise with an \`AbortError\` (or a \`TimeoutError\`).

\`\`\`js
const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
\`\`\`

- \`AbortSignal.timeout(ms)\` aborts after a delay.
- \`AbortSignal.any([a, b])\` aborts when either does, for example a per-call timeout combined with the caller's own cancellation.
- An \`AbortController\` lets your code abort on its own terms (\`controller.abort()\`).

Pass the signal all the way down (HTTP clients, database drivers, timers) so that cancelling really stops work rather than only ignoring its result. Harmonic gives every source call a signal that combines the source's timeout with the incoming request's cancellation.`,
  },
  {
    id: 'bc04d2b9-0cba-518b-b926-852e8da3f3c7',
    title: 'The Retry-After header',
    tags: ['http', 'rate limiting', 'reference'],
    body: `\`Retry-After\` (RFC 9110, section 10.2.3) tells a client how long to wait before trying again. Its value is either

- a number of **seconds**: \`Retry-After: 120\`, or
- an **HTTP date**: \`Retry-After: Wed, 02 Dec 2026 00:00:00 GMT\`.

It is sent with **503 Service Unavailable** (how long the outage is expected to last), with **429 Too Many Requests** (RFC 6585: when the limit lifts), and with 3xx redirects (how long to wait before following). Clients should parse both forms, treat a past date as "now", and cap absurdly long values. Harmonic sends it in seconds on its own 429s, and honours it when upstream APIs send it.`,
  },
  {
    id: '6569796f-9a25-56eb-98ea-88c57613be32',
    title: 'Storing API keys safely on the server',
    tags: ['security', 'api keys', 'cryptography', 'reference'],
    body: `Treat API keys like passwords: **store a hash, never the key**. If the database leaks, hashes do not let anyone call the API.

- Generate keys from a cryptographically secure random source with enough entropy (at least 128 bits).
- Put a non-secret **lookup id** in the key, so the server can find the one row to check instead of hashing against every row.
- Hash with a slow password hash such as **bcrypt**, scrypt or Argon2 when keys could be low-entropy or human-chosen; a keyed fast hash (HMAC-SHA-256) is also sound for long random keys.
- Compare in **constant time** (\`crypto.timingSafeEqual\`), so response timing leaks nothing.
- Show the plaintext once, at creation, and never log it; redact key-carrying headers in logs.

Harmonic uses a lookup id, bcrypt, a checksum and a short-lived in-memory cache of verified keys keyed by SHA-256 digest.`,
  },
  {
    id: '737babdc-66be-589e-8baa-edbefe4da25e',
    title: 'WMO weather codes',
    tags: ['weather', 'reference', 'open-meteo'],
    body: `Open-Meteo reports conditions as **WMO weather interpretation codes** (WMO code table 4677, simplified):

| Code | Conditions |
|---|---|
| 0 | Clear sky |
| 1, 2, 3 | Mainly clear, partly cloudy, overcast |
| 45, 48 | Fog, depositing rime fog |
| 51, 53, 55 | Drizzle: light, moderate, dense |
| 56, 57 | Freezing drizzle: light, dense |
| 61, 63, 65 | Rain: slight, moderate, heavy |
| 66, 67 | Freezing rain: light, heavy |
| 71, 73, 75 | Snowfall: slight, moderate, heavy |
| 77 | Snow grains |
| 80, 81, 82 | Rain showers: slight, moderate, violent |
| 85, 86 | Snow showers: slight, heavy |
| 95 | Thunderstorm |
| 96, 99 | Thunderstorm with slight or heavy hail |

Harmonic's weather items give both the code (\`weatherCode\`) and these words (\`conditions\`).`,
  },
  {
    id: '3c5ecb24-ec77-59b2-8638-39e715e5ab60',
    title: 'Searching arXiv well',
    tags: ['arxiv', 'search', 'reference'],
    body: `The arXiv API searches with field prefixes:

| Prefix | Field |
|---|---|
| \`ti:\` | Title |
| \`au:\` | Author |
| \`abs:\` | Abstract |
| \`co:\` | Comment |
| \`jr:\` | Journal reference |
| \`cat:\` | Category, e.g. \`cat:cs.LG\` |
| \`rn:\` | Report number |
| \`all:\` | All of the above |

Combine terms with \`AND\`, \`OR\` and \`ANDNOT\`, group with parentheses and quote phrases: \`au:hinton AND ti:"deep belief"\`. Harmonic's arxiv source turns plain text into an AND of \`all:\` terms (dropping words like "the" or "papers"), and passes a query already written with prefixes through unchanged. arXiv asks clients to make no more than one request every three seconds, on a single connection; Harmonic spaces its calls accordingly.`,
  },
  {
    id: 'be484469-6bb5-5353-9cb1-ccd920150a35',
    title: 'Server-side timeouts: choosing good values',
    tags: ['reliability', 'timeouts', 'operations', 'reference'],
    body: `A timeout is a promise about the worst case. Choose it from measurements, not hope:

- Start from the upstream's observed latency percentiles: a timeout a little above its p99 cuts off only the pathological tail.
- Keep a **budget**: if your own endpoint must answer within 5 s, the calls it makes in parallel must each finish well inside that, and sequential calls must share it.
- Prefer **deadlines that propagate** (an \`AbortSignal\`, a context) over independent timeouts at each layer, so work stops everywhere once the caller has given up.
- Return **partial results** when some parts time out, and say which, rather than failing the whole request.
- Alert on the timeout rate; a rising rate means an upstream is degrading.

Harmonic's default of 3 s per source keeps an all-source answer under about 3 s even when one upstream hangs.`,
  },
];

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

export class Migration20261124100000_kb_seed extends Migration {
  override up(): void {
    // One statement, the entries as one JSON document: no per-row SQL to escape.
    this.addSql(`
      insert into kb_entries (id, title, body, tags)
      select e.id, e.title, e.body, e.tags
        from jsonb_to_recordset(${literal(JSON.stringify(KB_SEED))}::jsonb) as e(id uuid, title text, body text, tags text[])`);
  }

  override down(): void {
    this.addSql(`delete from kb_entries where id in (${KB_SEED.map((e) => literal(e.id)).join(', ')})`);
  }
}
