import type { LookupFunction } from 'node:net';
import http from 'node:http';
import https from 'node:https';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import type { WebhooksConfig } from './config.ts';

/**
 * Harmonic's outgoing HTTP requests to addresses its users choose (webhook
 * endpoints): a security boundary. Only https, except http://localhost when
 * ALLOW_INSECURE_WEBHOOKS is on; the host is resolved when the request is
 * sent and every address it resolves to is checked (loopback, private,
 * link-local, metadata and other non-unicast ranges are refused unless
 * WEBHOOK_ALLOWED_NETWORKS names them), so neither a private name nor DNS
 * rebinding reaches inside; redirects are never followed; time and response
 * size are bounded.
 */

export type OutboundOutcome =
  /** A 2xx answer. */
  | 'delivered'
  /** Any other status, redirects included (they are not followed). */
  | 'http_error'
  /** The URL or an address it resolved to is not allowed; nothing was sent. */
  | 'refused'
  | 'timeout'
  /** DNS failure, connection refused or reset, TLS error. */
  | 'network_error';

export interface OutboundResult {
  outcome: OutboundOutcome;
  /** The HTTP status, when an answer came. */
  status: number | null;
  /** The start of the response body (for the delivery log), at most PREVIEW_BYTES. */
  responsePreview: string;
  /** Why it was not delivered, in words fit for the delivery log. */
  error: string | null;
  durationMs: number;
}

const PREVIEW_BYTES = 1024;

/** Why `url` may not be a webhook endpoint, or null if it may (addresses are checked again at send time). */
export function endpointUrlProblem(url: string, config: Pick<WebhooksConfig, 'allowInsecure'>): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be a URL such as https://example.com/webhooks';
  }
  if (u.username || u.password) return 'must not carry a user name or password';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:') {
    if (config.allowInsecure && isLocalhost(u)) return null;
    return config.allowInsecure ? 'must use https (http is allowed only for localhost)' : 'must use https';
  }
  return 'must use https';
}

function isLocalhost(u: URL): boolean {
  return u.hostname === 'localhost';
}

export interface OutboundRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

export class OutboundClient {
  private readonly config: WebhooksConfig;
  private readonly lookup: LookupFunction | undefined;
  private readonly ca: string | undefined;
  private readonly publicAgents: { http: http.Agent; https: https.Agent };
  private readonly localhostAgent: http.Agent;

  constructor(deps: {
    config: WebhooksConfig;
    /** Name resolution (tests make a name resolve to a private address); the system resolver by default. */
    lookup?: LookupFunction;
    /** Extra trusted certificate authority (tests' https receivers). */
    ca?: string;
  }) {
    this.config = deps.config;
    this.lookup = deps.lookup;
    this.ca = deps.ca;
    const filter = { allowIPAddressList: deps.config.allowedNetworks, keepAlive: false };
    this.publicAgents = { http: new RequestFilteringHttpAgent(filter), https: new RequestFilteringHttpsAgent(filter) };
    // http://localhost, when allowed, may reach loopback and nothing else.
    this.localhostAgent = new RequestFilteringHttpAgent({ allowIPAddressList: ['127.0.0.0/8', '::1'], keepAlive: false });
  }

  /** POSTs `body`; never throws for the endpoint's sake: every failure is an outcome. */
  async post(req: OutboundRequest): Promise<OutboundResult> {
    const started = performance.now();
    const done = (r: Omit<OutboundResult, 'durationMs'>): OutboundResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
    const problem = endpointUrlProblem(req.url, this.config);
    if (problem) return done({ outcome: 'refused', status: null, responsePreview: '', error: `The URL ${problem}` });
    const url = new URL(req.url);
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const secure = url.protocol === 'https:';
    const agent = secure ? this.publicAgents.https : isLocalhost(url) ? this.localhostAgent : this.publicAgents.http;
    const options: https.RequestOptions = {
      method: 'POST',
      agent,
      signal,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(req.body)), ...req.headers },
      ...(this.lookup ? { lookup: this.lookup } : {}),
      ...(secure && this.ca ? { ca: this.ca } : {}),
    };
    return new Promise<OutboundResult>((resolve) => {
      const request = (secure ? https : http).request(url, options, (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const preview = Buffer.concat(chunks).subarray(0, PREVIEW_BYTES).toString('utf8');
          if (status >= 200 && status < 300) resolve(done({ outcome: 'delivered', status, responsePreview: preview, error: null }));
          else {
            const why = status >= 300 && status < 400 ? `Answered ${status} (redirects are not followed)` : `Answered ${status}`;
            resolve(done({ outcome: 'http_error', status, responsePreview: preview, error: why }));
          }
        };
        res.on('data', (chunk: Buffer) => {
          const room = this.config.maxResponseBytes - size;
          size += chunk.length;
          chunks.push(room >= chunk.length ? chunk : chunk.subarray(0, Math.max(0, room)));
          // The status is what counts; the rest of a large body is not read.
          if (size > this.config.maxResponseBytes) {
            res.destroy();
            finish();
          }
        });
        res.on('end', finish);
        res.on('error', () => finish());
      });
      request.on('error', (err: NodeJS.ErrnoException) => {
        if (timeout.aborted) resolve(done({ outcome: 'timeout', status: null, responsePreview: '', error: `No answer within ${this.config.timeoutMs} ms` }));
        else if (/is not allowed/.test(err.message)) resolve(done({ outcome: 'refused', status: null, responsePreview: '', error: refusalMessage(err.message) }));
        else resolve(done({ outcome: 'network_error', status: null, responsePreview: '', error: networkMessage(err) }));
      });
      request.end(req.body);
    });
  }
}

/** request-filtering-agent's "DNS lookup 10.0.0.5(family:4, host:x) is not allowed. Because, It is private IP address." in our words. */
function refusalMessage(message: string): string {
  const m = /DNS lookup (\S+?)\(family:\d+, host:([^)]*)\)/.exec(message);
  const address = m?.[1] ?? 'an address';
  const host = m?.[2] && m[2] !== address ? ` (${m[2]})` : '';
  return `Refused: ${address}${host} is a loopback, private, link-local or reserved address; allow it with WEBHOOK_ALLOWED_NETWORKS`;
}

function networkMessage(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'The host name does not resolve';
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ECONNRESET':
      return 'Connection reset';
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}
