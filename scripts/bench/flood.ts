/**
 * The flood for `npm run bench:auth`, in a process of its own so that making
 * the requests does not cost the server's event loop anything:
 *
 *   node scripts/bench/flood.ts <base-url> <lookup-id> <forged-one-address|forged-many-addresses|unauthenticated> [req/s]
 *
 * 16 connections, at req/s in all or as fast as the server answers, until SIGTERM. Prints `ready`
 * after the first answer, then (after SIGTERM) one JSON line with the totals.
 */
import { randomBytes, randomInt } from 'node:crypto';
import autocannon from 'autocannon';
import { buildKey } from '../../server/keys/format.ts';

const [base, lookupId, mode, rate] = process.argv.slice(2);
if (!base || !lookupId || !mode) throw new Error('usage: flood.ts <base-url> <lookup-id> <mode>');

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** What anyone can make, since the checksum is public: a real lookup id, a random secret, a valid checksum. */
const forgedKey = () => buildKey(lookupId, Array.from(randomBytes(18), (b) => ALPHABET[b % 62]).join(''));
const body = JSON.stringify({ endpoint: 'bench', units: 1 });

const started = performance.now();
const instance = autocannon(
  {
    url: mode === 'unauthenticated' ? `${base}/api/v1/data` : `${base}/api/v1/usage/track`,
    connections: 16,
    ...(rate ? { overallRate: Number(rate) } : {}),
    duration: 3600,
    requests: [
      {
        setupRequest: (req) =>
          mode === 'unauthenticated'
            ? { ...req, method: 'GET' }
            : {
                ...req,
                method: 'POST',
                body,
                headers: {
                  'content-type': 'application/json',
                  'x-api-key': forgedKey(),
                  // The server trusts the proxy in this benchmark, so each request can name a new address.
                  ...(mode === 'forged-many-addresses' ? { 'x-forwarded-for': `198.18.${randomInt(256)}.${randomInt(256)}` } : {}),
                },
              },
      },
    ],
  },
  (err: unknown, result: autocannon.Result) => {
    if (err) throw err;
    const seconds = (performance.now() - started) / 1000;
    const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
    console.log(JSON.stringify({ requests: result.requests.total, seconds, statuses, errors: result.errors }));
  },
);
instance.once('response', () => console.log('ready'));
process.once('SIGTERM', () => instance.stop());
