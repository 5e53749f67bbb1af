import type { FastifyReply, FastifyRequest } from 'fastify';

/** The caller's address, honouring TRUST_PROXY; always a valid IP (see server/client-address.ts). */
export { clientAddress as clientIp } from '../client-address.ts';

/** One header value; repeated headers (joined or arrays) are treated as given. */
export function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
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
