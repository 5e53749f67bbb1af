import { z } from 'zod';
import { restCreateUserSchema, restListUsersSchema, restTierSchema, restUpdateUserSchema, restUserListSchema, restUserSchema, userRefSchema } from '../../shared/management.ts';
import type { Services } from '../services.ts';
import { errorResponse, type RestApi } from './route.ts';

/**
 * The REST routes only management keys may call: users (list, create, get,
 * change tier, suspend, reactivate) and tiers. Each calls the same service as
 * the admin app. `{id}` is a user's id, email or external id.
 */
export function registerManagementRoutes(route: RestApi['route'], services: Services): void {
  const { users, tiers } = services;
  const noUser = errorResponse('No such user');
  const user = { description: 'The user', schema: restUserSchema };

  route({
    method: 'GET',
    url: '/users',
    operationId: 'listUsers',
    summary: 'Users, newest first, filtered and a page at a time (management keys only)',
    auth: { management: 'users:read' },
    querystring: restListUsersSchema,
    responses: { 200: { description: 'A page of users', schema: restUserListSchema }, 404: errorResponse('No such tier') },
    handler: async ({ em, query }) => {
      const tierId = query.tier === undefined ? undefined : (await users.resolveTier(em, query.tier)).id;
      return users.list(em, { search: query.search, status: query.status, tierId, sort: 'createdAt', order: 'desc', page: query.page, pageSize: query.pageSize });
    },
  });

  route({
    method: 'POST',
    url: '/users',
    operationId: 'createUser',
    summary: 'Create a user (tier by name; omitted means the default tier)',
    auth: { management: 'users:write' },
    body: restCreateUserSchema,
    responses: { 201: { description: 'The new user', schema: restUserSchema }, 404: errorResponse('No such tier'), 409: errorResponse('A user with this email or external id exists') },
    handler: async ({ em, body, management }) => users.create(em, body, management.actor, 'tier'),
  });

  route({
    method: 'GET',
    url: '/users/:id',
    operationId: 'getUser',
    summary: 'A user, by id, email or external id',
    auth: { management: 'users:read' },
    params: userRefSchema,
    responses: { 200: user, 404: noUser },
    handler: async ({ em, params }) => users.get(em, (await users.findByEmailOrId(em, params.id)).id),
  });

  route({
    method: 'PATCH',
    url: '/users/:id',
    operationId: 'updateUserTier',
    summary: "Change a user's tier; the new quota applies from their next request, on every instance",
    auth: { management: 'users:write' },
    params: userRefSchema,
    body: restUpdateUserSchema,
    responses: { 200: user, 404: errorResponse('No such user or tier') },
    handler: async ({ em, params, body, management }) => users.setTier(em, (await users.findByEmailOrId(em, params.id)).id, body.tier, management.actor),
  });

  for (const [action, status, summary] of [
    ['suspend', 'suspended', 'Suspend a user: their keys get 403 from their next request, on every instance'],
    ['reactivate', 'active', 'Reactivate a suspended user'],
  ] as const) {
    route({
      method: 'POST',
      url: `/users/:id/${action}`,
      operationId: `${action}User`,
      summary,
      auth: { management: 'users:write' },
      params: userRefSchema,
      responses: { 200: user, 404: noUser },
      handler: async ({ em, params, management }) => users.setStatus(em, (await users.findByEmailOrId(em, params.id)).id, status, management.actor),
    });
  }

  route({
    method: 'GET',
    url: '/tiers',
    operationId: 'listTiers',
    summary: 'The tiers and their quotas',
    auth: { management: 'tiers:read' },
    responses: { 200: { description: 'Tiers', schema: z.object({ tiers: z.array(restTierSchema) }) } },
    handler: async ({ em }) => ({
      tiers: (await tiers.list(em)).map((t) => ({ id: t.id, name: t.name, monthlyQuota: t.monthlyQuota, priceCents: t.priceCents, description: t.description, isDefault: t.isDefault })),
    }),
  });
}
