import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import type { Upstream, UpstreamName } from './config.ts';
import { Spacer, type Backoff } from './politeness.ts';

/**
 * A failure a source explains to the caller. The message is shown as the
 * source's `error`, so it says what happened in words and holds no secrets.
 */
export class SourceError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'SourceError';
  }
}

export interface UpstreamResponse {
  upstream: Upstream;
  status: number;
  ok: boolean;
  headers: Headers;
  body: string;
  /** Set when this response made us back off the upstream (429/503). */
  backoffUntil: number | undefined;
}

/** No legitimate answer to a query of at most 20 results comes near this; a bigger body is a fault. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const NETWORK_ERRORS: Record<string, string> = {
  ECONNRESET: 'the connection was reset',
  UND_ERR_SOCKET: 'the connection was closed before the response was complete',
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name could not be resolved',
  EAI_AGAIN: 'the host name could not be resolved (DNS is not answering)',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate could not be verified',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it presented a self-signed TLS certificate',
};

function describeNetworkError(err: unknown): string {
  let e: unknown = err;
  // undici wraps the socket error: TypeError("fetch failed", { cause: Error{ code } }).
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return NETWORK_ERRORS[code] ?? `network error ${code}`;
    if (e.message === 'terminated' || e.message === 'other side closed') return NETWORK_ERRORS['UND_ERR_SOCKET'] ?? '';
    e = e.cause;
  }
  return 'a network error occurred';
}

/** An instant to the second, e.g. 2026-07-02T10:30:00Z, for messages people read. */
export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The one way sources call upstreams: a User-Agent naming Harmonic, at most N
 * calls in flight per upstream (p-limit), a minimum interval where the upstream
 * asks for one (Spacer), a bounded body, and every 429/503 recorded in the
 * shared Backoff so the next query skips that upstream.
 */
export class UpstreamClient {
  private readonly userAgent: string;
  private readonly backoff: Backoff;
  private readonly logger: Logger;
  private readonly spacer: Spacer;
  private readonly limits = new Map<UpstreamName, LimitFunction>();

  constructor(opts: { userAgent: string; backoff: Backoff; logger: Logger; spacer?: Spacer }) {
    this.userAgent = opts.userAgent;
    this.backoff = opts.backoff;
    this.logger = opts.logger;
    this.spacer = opts.spacer ?? new Spacer();
  }

  private limit(upstream: Upstream): LimitFunction {
    let limit = this.limits.get(upstream.name);
    if (!limit) {
      limit = pLimit(upstream.maxConcurrency);
      this.limits.set(upstream.name, limit);
    }
    return limit;
  }

  private fetchOnce(url: URL, accept: string, signal: AbortSignal): Promise<Response> {
    return fetch(url, { headers: { 'user-agent': this.userAgent, accept }, signal, redirect: 'follow' });
  }


  /**
   * GETs `path` (with `query`) on the upstream. Resolves with any HTTP status,
   * so adapters can read the error bodies some upstreams send; rejects with
   * SourceError when no response could be read, or with the signal's reason when aborted.
   */
  get(upstream: Upstream, path: string, query: Record<string, string | number>, signal: AbortSignal, accept = 'application/json'): Promise<UpstreamResponse> {
    const url = new URL(upstream.baseUrl + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    return this.limit(upstream)(async () => {
      // The slot may come free after the caller has given up; don't call for nobody.
      signal.throwIfAborted();
      await this.spacer.wait(upstream.name, upstream.minIntervalMs, signal);
      const started = performance.now();
      let res: Response;
      try {
        res = await this.fetchOnce(url, accept, signal).catch((err: unknown) => {
          // A keep-alive socket the upstream closed while idle fails the next request before any byte of
          // answer; every HTTP client retries that once for an idempotent GET, and so do we.
          if (signal.aborted || !isStaleConnection(err)) throw err;
          return this.fetchOnce(url, accept, signal);
        });
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        throw new SourceError(`Could not reach ${upstream.label}: ${describeNetworkError(err)}`, { cause: err });
      }
      let body: string;
      try {
        body = await readBody(res, signal);
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (err instanceof SourceError) throw new SourceError(`${upstream.label} ${err.message}`);
        throw new SourceError(`${upstream.label} stopped sending its response: ${describeNetworkError(err)}`, { cause: err });
      }
      const state = this.backoff.note(upstream.name, res.status, res.headers.get('retry-after'));
      const log = { upstream: upstream.name, path: url.pathname, status: res.status, ms: Math.round(performance.now() - started) };
      if (state) this.logger.warn({ ...log, retryAfter: res.headers.get('retry-after'), until: isoSeconds(state.until) }, 'upstream asked us to back off');
      else this.logger.debug(log, 'upstream call');
      return { upstream, status: res.status, ok: res.ok, headers: res.headers, body, backoffUntil: state?.until };
    });
  }
}

function isStaleConnection(err: unknown): boolean {
  const code = err instanceof Error ? (err.cause as { code?: unknown } | undefined)?.code : undefined;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

async function readBody(res: Response, signal: AbortSignal): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) {
    await res.body?.cancel();
    throw new SourceError(`sent a response of ${declared} bytes, more than the ${MAX_BODY_BYTES} we accept`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      signal.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) throw new SourceError(`sent more than the ${MAX_BODY_BYTES} bytes we accept`);
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    throw err;
  } finally {
    reader.releaseLock();
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

/** The error for a response that is not a success, with what the upstream said about it, if anything. */
export function httpError(res: UpstreamResponse, detail?: string | null): SourceError {
  const said = detail ? `: ${detail}` : '';
  const wait = res.backoffUntil ? `. Harmonic will not call it again before ${isoSeconds(res.backoffUntil)}` : '';
  return new SourceError(`${res.upstream.label} answered HTTP ${res.status}${said}${wait}`);
}

/** JSON.parse, or undefined for a body that is not JSON (error pages, say). */
export function tryParseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** A string field of a JSON error body, e.g. Algolia's `message` or Open-Meteo's `reason`, cut to a readable length. */
export function jsonErrorField(res: UpstreamResponse, field: string): string | undefined {
  const json = tryParseJson(res.body);
  const value = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' && value ? (value.length > 200 ? `${value.slice(0, 199)}…` : value) : undefined;
}

/** JSON.parse with an error worth showing. */
export function parseJson(res: UpstreamResponse): unknown {
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    throw new SourceError(`${res.upstream.label} sent a response that is not valid JSON`);
  }
}
