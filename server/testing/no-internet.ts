/**
 * Vitest setup file (both projects): no test may reach the internet. Tests talk
 * to loopback servers they start themselves (the upstream replay server, the
 * test PostgreSQL); anything else is a test that would pass or fail depending
 * on the network, so it is refused and the test fails.
 *
 * Two layers, because either alone can be bypassed: global `fetch` is wrapped
 * (the refusal names the URL), and `net.Socket#connect`, which every TCP
 * client in Node goes through (undici, http, tls, pg), refuses non-loopback
 * hosts before any DNS lookup. A refusal is also recorded, and `afterEach`
 * fails the test even when the code under test caught the error (a source
 * adapter turns a failed fetch into `status: "error"`, which a test could
 * otherwise mistake for the behaviour it expected).
 */
import net from 'node:net';
import { afterEach } from 'vitest';

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);

/** Hosts allowed besides loopback: a TEST_DATABASE_URL may name a PostgreSQL elsewhere (a CI service container). */
function extraAllowedHosts(): Set<string> {
  const hosts = new Set<string>();
  const url = process.env['TEST_DATABASE_URL'];
  if (url) {
    try {
      hosts.add(stripBrackets(new URL(url).hostname).toLowerCase());
    } catch {
      // Not a URL: the database layer reports that itself.
    }
  }
  return hosts;
}

const stripBrackets = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

export function isLoopbackHost(rawHost: string): boolean {
  const host = stripBrackets(rawHost).toLowerCase().replace(/\.$/, '');
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.') || host === '0.0.0.0';
  if (net.isIPv6(host)) {
    if (host === '::1' || host === '::') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    return mapped?.[1] !== undefined && mapped[1].startsWith('127.');
  }
  return false;
}

const allowed = extraAllowedHosts();
const isAllowed = (host: string) => isLoopbackHost(host) || allowed.has(stripBrackets(host).toLowerCase());

const violations: string[] = [];

/** The refusals recorded since the last call, clearing them (for the guard's own test). */
export function takeViolations(): string[] {
  return violations.splice(0, violations.length);
}

function refuse(what: string): Error {
  const message = `No internet in tests: refused ${what}. Point the code at a loopback server (see server/sources/testing/replay-server.ts).`;
  violations.push(message);
  return new Error(message);
}

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

const realFetch = globalThis.fetch;
globalThis.fetch = function guardedFetch(input, init) {
  const href = requestUrl(input);
  let host: string;
  try {
    host = new URL(href).hostname;
  } catch {
    return realFetch(input, init);
  }
  if (!isAllowed(host)) return Promise.reject(refuse(`fetch ${href}`));
  return realFetch(input, init);
};

type ConnectArgs = Parameters<net.Socket['connect']>;

/** Host of a `Socket#connect` call in any of its forms; undefined for a Unix socket path. */
function connectHost(args: unknown[]): string | undefined {
  // net.connect() normalises its arguments into an array before calling Socket#connect.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; path?: unknown };
    if (typeof options.path === 'string') return undefined;
    return typeof options.host === 'string' ? options.host : 'localhost';
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return typeof args[1] === 'string' ? args[1] : 'localhost';
  }
  return undefined;
}

const realConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: ConnectArgs) {
  const host = connectHost(args);
  if (host !== undefined && !isAllowed(host)) throw refuse(`a TCP connection to ${host}`);
  return realConnect.apply(this, args);
} as net.Socket['connect'];

afterEach(() => {
  const refused = takeViolations();
  if (refused.length > 0) throw new Error(refused.join('\n'));
});
