import type { FastifyInstance, FastifyRequest } from 'fastify';
import { restCreateUserSchema, restListUsersSchema, restUpdateUserSchema, userRefSchema } from '../../shared/management.ts';
import type { Services } from '../services.ts';
import { parseInput } from '../validation.ts';
import { requireManagementKey } from './principal.ts';
import { resource } from './resource.ts';

/**
 * The REST routes only management keys may call: users (list, create, get,
 * change tier, suspend, reactivate) and tiers. Each handler authenticates,
 * parses with a shared/ schema, calls the same service as the admin app and maps
 * the answer. `{id}` is a user's id or email.
 */
export function registerManagementRoutes(app: FastifyInstance, services: Services): void {
  const { users, tiers, orm } = services;
  const em = () => orm.em.fork();
  const userRef = async (req: FastifyRequest) => users.findByEmailOrId(em(), parseInput(userRefSchema, req.params).id);

  resource(app, '/users', {
    GET: async (req) => {
      await requireManagementKey(services, req, 'users:read');
      const q = parseInput(restListUsersSchema, req.query);
      const fork = em();
      const tierId = q.tier === undefined ? undefined : (await users.resolveTier(fork, q.tier)).id;
      return users.list(fork, { search: q.search, status: q.status, tierId, sort: 'createdAt', order: 'desc', page: q.page, pageSize: q.pageSize });
    },
    POST: async (req, reply) => {
      const { actor } = await requireManagementKey(services, req, 'users:write');
      const input = parseInput(restCreateUserSchema, req.body);
      return reply.code(201).send(await users.create(em(), input, actor, 'tier'));
    },
  });

  resource(app, '/users/:id', {
    GET: async (req) => {
      await requireManagementKey(services, req, 'users:read');
      return users.get(em(), (await userRef(req)).id);
    },
    PATCH: async (req) => {
      const { actor } = await requireManagementKey(services, req, 'users:write');
      const input = parseInput(restUpdateUserSchema, req.body);
      return users.setTier(em(), (await userRef(req)).id, input.tier, actor);
    },
  });

  for (const [action, status] of [
    ['suspend', 'suspended'],
    ['reactivate', 'active'],
  ] as const) {
    resource(app, `/users/:id/${action}`, {
      POST: async (req) => {
        const { actor } = await requireManagementKey(services, req, 'users:write');
        return users.setStatus(em(), (await userRef(req)).id, status, actor);
      },
    });
  }

  resource(app, '/tiers', {
    GET: async (req) => {
      await requireManagementKey(services, req, 'tiers:read');
      const list = await tiers.list(em());
      return { tiers: list.map((t) => ({ id: t.id, name: t.name, monthlyQuota: t.monthlyQuota, priceCents: t.priceCents, description: t.description, isDefault: t.isDefault })) };
    },
  });
}
