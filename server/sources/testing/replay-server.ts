import fs from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * A local HTTP server that stands in for every upstream in tests: it replays
 * the recorded bodies in ../fixtures, and produces on purpose the failures no
 * recording exists for (503, 429 with Retry-After, hangs, resets, truncated
 * bodies). All upstream base URLs point at it; their paths do not collide.
 */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '..', 'fixtures');

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/atom+xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function readFixture(file: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES_DIR, file));
}

/** A recorded body from ../fixtures, e.g. `fixture('arxiv/error-400-malformed-id-abc.xml', { status: 400 })`. */
export function fixture(file: string, opts: { status?: number; headers?: Record<string, string> } = {}): Handler {
  const body = readFixture(file);
  return (_req, res) => {
    res.writeHead(opts.status ?? 200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', ...opts.headers });
    res.end(body);
  };
}

/** A body made up in the test (an error page, an empty answer…), never a stand-in for a recording. */
export function reply(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  };
}

/** Accepts the request and never answers. */
export const hang = (): Handler => () => undefined;

/** Drops the TCP connection without a response. */
export const resetConnection = (): Handler => (req) => {
  req.socket.resetAndDestroy();
};

/** Sends the status, headers and the first `bytes` of a recording, then cuts the connection. */
export function truncated(file: string, bytes: number): Handler {
  const body = readFixture(file);
  return (_req, res) => {
    res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': String(body.length) });
    res.write(body.subarray(0, bytes), () => res.socket?.resetAndDestroy());
  };
}

/** Runs `handler` after `ms`. */
export function delayed(ms: number, handler: Handler): Handler {
  return (req, res, url) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(handler(req, res, url)), ms);
      res.on('close', () => clearTimeout(timer));
    });
}

/** Answers by path parameter, e.g. Wikipedia summaries by title: `byLastSegment({ Moscow: fixture(…) }, reply(404, …))`. */
export function byLastSegment(handlers: Record<string, Handler>, otherwise: Handler): Handler {
  return (req, res, url) => {
    const last = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    return (handlers[last] ?? otherwise)(req, res, url);
  };
}

export class ReplayServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Handler>();
  /** Responses not yet finished (hanging handlers), so reset() can cut exactly those. */
  private readonly open = new Set<ServerResponse>();
  private readonly server: http.Server;
  url = '';

  private constructor() {
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://replay.invalid');
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers });
      // A fresh connection per request: reset() drops hanging connections, and a pooled keep-alive socket
      // dropped under the client would fail the next test's first request.
      res.setHeader('connection', 'close');
      this.open.add(res);
      res.on('close', () => this.open.delete(res));
      const handler = this.match(url.pathname);
      if (!handler) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`The replay server has no route for ${url.pathname}`);
        return;
      }
      void Promise.resolve(handler(req, res, url)).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  static async start(): Promise<ReplayServer> {
    const replay = new ReplayServer();
    await new Promise<void>((resolve) => replay.server.listen(0, '127.0.0.1', resolve));
    replay.url = `http://127.0.0.1:${(replay.server.address() as AddressInfo).port}`;
    return replay;
  }

  /** `path` is a pathname; one ending in `*` matches every path starting with what comes before it. */
  route(pathname: string, handler: Handler): this {
    this.routes.set(pathname, handler);
    return this;
  }

  private match(pathname: string): Handler | undefined {
    const exact = this.routes.get(pathname);
    if (exact) return exact;
    for (const [route, handler] of this.routes) {
      if (route.endsWith('*') && pathname.startsWith(route.slice(0, -1))) return handler;
    }
    return undefined;
  }

  /** Requests made to `pathname` (prefix match with a trailing `*`). */
  calls(pathname: string): RecordedRequest[] {
    return this.requests.filter((r) => (pathname.endsWith('*') ? r.path.startsWith(pathname.slice(0, -1)) : r.path === pathname));
  }

  /**
   * Forgets routes and recorded requests, and cuts the connections of requests
   * still waiting for an answer. Idle connections are left alone: closing them
   * under the client makes its next request fail with "other side closed".
   */
  reset(): void {
    this.routes.clear();
    this.requests.length = 0;
    for (const res of this.open) res.socket?.destroy();
    this.open.clear();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }
}
