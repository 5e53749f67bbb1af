import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import { AppError } from '../errors.ts';

/** The caller's address, honouring TRUST_PROXY; always a valid IP (see server/client-address.ts). */
export { clientAddress as clientIp } from '../client-address.ts';

const BEARER = /^Bearer(?:\s+(.*))?$/i;

/**
 * The API key a request presents: `X-API-Key`, or `Authorization: Bearer …` as most HTTP clients
 * send tokens; undefined when it sends neither. Two different keys are refused rather than
 * charging one of them by guesswork. Other Authorization schemes (e.g. a proxy's Basic) are not ours.
 */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers['x-api-key'];
  const xApiKey = Array.isArray(raw) ? raw.join(', ') : raw;
  const match = headers.authorization?.match(BEARER);
  const bearer = match ? (match[1] ?? '').trim() : undefined;
  if (xApiKey !== undefined && bearer !== undefined && xApiKey !== bearer) {
    throw new AppError('BAD_REQUEST', 'X-API-Key and Authorization: Bearer carry different keys; send one key, in either header', {
      details: { headers: ['X-API-Key', 'Authorization'] },
    });
  }
  return xApiKey ?? bearer;
}

/** Aborts when the client goes away before we answer, so upstream calls stop too. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  return controller.signal;
}

/** When the request arrived, on the performance.now() clock. */
export function requestStart(reply: FastifyReply): number {
  return performance.now() - reply.elapsedTime;
}
