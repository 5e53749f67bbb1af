import type { FastifyInstance } from 'fastify';
import type { Services } from './services.ts';

const startedAt = Date.now();

/** `/healthz`: the process is up. `/readyz`: it can reach the database. Both JSON, both unauthenticated. */
export function registerHealthRoutes(app: FastifyInstance, services: Services): void {
  app.get('/healthz', async () => ({
    status: 'ok',
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
  }));

  app.get('/readyz', async (_req, reply) => {
    const database = await services.databaseHealth.check();
    return reply
      .code(database.up ? 200 : 503)
      .send({ status: database.up ? 'ready' : 'not_ready', database });
  });
}
