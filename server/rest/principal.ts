import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { actingForSchema, type ManagementScope } from '../../shared/management.ts';
import type { Actor } from '../audit/service.ts';
import { AppError, validationError } from '../errors.ts';
import { keyActor } from '../keys/actor.ts';
import type { VerifiedKey } from '../keys/cache.ts';
import { looksLikeManagementKey, managementActor, type VerifiedManagementKey } from '../management/service.ts';
import type { Services } from '../services.ts';
import { parseInput } from '../validation.ts';
import { clientIp, presentedKey } from './request.ts';

/** Who a REST call acts for, and under which credential its writes are audited. */
export type Principal =
  | { kind: 'api_key'; userId: string; key: VerifiedKey; actor: Actor }
  | { kind: 'management_key'; userId: string; key: VerifiedManagementKey; actor: Actor };

type Deps = Pick<Services, 'keys' | 'managementKeys' | 'users'>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `input` without its `userId` field, and that field; anything but an object is left for the route's schema to refuse. */
function splitUserId(input: unknown): { userId: unknown; rest: unknown } {
  if (!isObject(input) || !Object.hasOwn(input, 'userId')) return { userId: undefined, rest: input };
  const { userId, ...rest } = input;
  return { userId, rest };
}

/**
 * The credential of a route both kinds of key may call (`/keys`, `/usage`): an
 * API key acts for its own user; a management key with `scope` acts for the
 * user named by `userId` (id or email) in `input` (the body or the query). The
 * route parses what is returned as `input`, which no longer holds `userId`.
 */
export async function resolvePrincipal(
  services: Deps,
  em: EntityManager,
  req: FastifyRequest,
  opts: { scope: ManagementScope; input: unknown },
): Promise<{ principal: Principal; input: unknown }> {
  const ip = clientIp(req);
  const presented = presentedKey(req.headers);
  const { userId, rest } = splitUserId(opts.input);
  if (looksLikeManagementKey(presented)) {
    const key = await services.managementKeys.authenticate(em, presented, ip);
    services.managementKeys.authorize(key, opts.scope);
    if (userId === undefined) {
      throw validationError([{ field: 'userId', message: 'is required with a management key: the id or email of the user to act for' }]);
    }
    const ref = parseInput(actingForSchema, { userId }).userId;
    const user = await services.users.findByEmailOrId(em, ref);
    return { principal: { kind: 'management_key', userId: user.id, key, actor: managementActor(key, ip) }, input: rest };
  }
  const key = await services.keys.authenticate(em, presented, ip);
  if (userId !== undefined) {
    throw validationError([
      {
        field: 'userId',
        message: `acting for another user needs a management key (hmm_…) with the scope ${opts.scope}; an API key (hm_…) always acts for its own user, so leave userId out`,
      },
    ]);
  }
  return { principal: { kind: 'api_key', userId: key.userId, key, actor: keyActor(key, ip) }, input: rest };
}

/**
 * The credential of a route only management keys may call (`/users`, `/tiers`).
 * An API key is checked as one first, so a bad or suspended one gets its usual
 * 401 or 403, and is then refused with 403: it is a real credential, of the wrong kind.
 */
export async function requireManagementKey(
  services: Deps,
  em: EntityManager,
  req: FastifyRequest,
  scope: ManagementScope,
): Promise<{ key: VerifiedManagementKey; actor: Actor }> {
  const ip = clientIp(req);
  const presented = presentedKey(req.headers);
  if (presented === undefined) {
    throw new AppError('UNAUTHORIZED', 'Missing management key: send X-API-Key: hmm_… (or Authorization: Bearer hmm_…)');
  }
  if (looksLikeManagementKey(presented)) {
    const key = await services.managementKeys.authenticate(em, presented, ip);
    services.managementKeys.authorize(key, scope);
    return { key, actor: managementActor(key, ip) };
  }
  await services.keys.authenticate(em, presented, ip);
  throw new AppError('FORBIDDEN', `This route needs a management key (hmm_…) with the scope ${scope}; an API key (hm_…) acts only for its own user`, {
    details: { requiredScope: scope },
  });
}
