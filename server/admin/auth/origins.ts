import type { AddressInfo } from 'node:net';
import type { Config } from '../../config.ts';

const ANY_INTERFACE = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The origins this server calls its own when ALLOWED_ORIGINS is unset: PUBLIC_URL's, and the
 * listen address's (localhost, 127.0.0.1 and [::1] on the port, and HOST when it names one
 * interface). Never the request's Host header, which the client writes.
 */
export function ownOrigins(config: Pick<Config, 'publicUrl' | 'host'>, address: AddressInfo | string | null): string[] {
  const origins = new Set<string>();
  if (config.publicUrl) origins.add(new URL(config.publicUrl).origin);
  if (address && typeof address === 'object') {
    const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
    const names = ANY_INTERFACE.has(host) ? LOOPBACK_NAMES : [...LOOPBACK_NAMES, host];
    for (const name of names) {
      try {
        origins.add(new URL(`http://${name}:${address.port}`).origin);
      } catch {
        // A HOST that is not a valid URL host (e.g. a zone id) cannot be an origin either.
      }
    }
  }
  return [...origins];
}
