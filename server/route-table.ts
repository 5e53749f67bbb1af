import type { FastifyInstance } from 'fastify';

/** One method of one registered route, with the `config` it was declared with. */
export interface RegisteredRoute {
  method: string;
  url: string;
  config: Record<string, unknown>;
}

const tables = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/**
 * Records every route as Fastify registers it (an onRoute hook), so the shared
 * security tests walk the real route table instead of a hand-kept list. Must be
 * called before any route is registered.
 */
export function recordRoutes(app: FastifyInstance): void {
  const routes: RegisteredRoute[] = [];
  tables.set(app, routes);
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as Record<string, unknown>;
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, config });
  });
}

/** Every route registered on `app` since recordRoutes, one entry per method. */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  const routes = tables.get(app);
  if (!routes) throw new Error('recordRoutes(app) was not called before the routes were registered');
  return routes;
}
