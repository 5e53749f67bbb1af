import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Services } from '../services.ts';
import { restApi } from './route.ts';

/** A public route never touches the keys, the quotas or the database, so none is needed here. */
const noServices = { keys: {}, managementKeys: {}, users: {}, usage: {}, orm: { em: { fork: () => ({}) } } } as unknown as Pick<Services, 'keys' | 'managementKeys' | 'users' | 'usage' | 'orm'>;

describe('restApi', () => {
  it('never strips a field its response schema lacks: the answer is sent as the handler built it', async () => {
    const app = Fastify();
    const api = restApi(app, noServices);
    api.route({
      method: 'GET',
      url: '/thing',
      operationId: 'getThing',
      summary: 'A thing',
      auth: 'public',
      responses: { 200: { description: 'The thing', schema: z.object({ name: z.string() }) } },
      handler: async () => ({ name: 'x', undeclared: true }),
    });
    api.seal();
    const res = await app.inject({ method: 'GET', url: '/thing' });
    expect(res.json()).toEqual({ name: 'x', undeclared: true });
    await app.close();
  });

  it('refuses a second operation with the same operationId, and a route declared after seal()', () => {
    const app = Fastify();
    const api = restApi(app, noServices);
    const declaration = { method: 'GET', url: '/a', operationId: 'a', summary: 'A', auth: 'public', responses: { 200: { description: 'A' } }, handler: async () => null } as const;
    api.route(declaration);
    expect(() => api.route({ ...declaration, url: '/b' })).toThrow(/operationId a is declared twice/);
    api.seal();
    expect(() => api.route({ ...declaration, operationId: 'c', url: '/c' })).toThrow(/after seal/);
  });

  it('answers bad input with our 400 naming each field, validated by the declared zod schema', async () => {
    const app = Fastify();
    const api = restApi(app, noServices);
    // server/app.ts's handler in miniature: AppError's status, else Fastify's statusCode.
    app.setErrorHandler((err: Error & { status?: number; statusCode?: number; code?: string }, _req, reply) =>
      reply.code(err.status ?? err.statusCode ?? 500).send({ code: err.code, message: err.message }),
    );
    api.route({
      method: 'POST',
      url: '/echo',
      operationId: 'echo',
      summary: 'Echo',
      auth: 'public',
      body: z.strictObject({ n: z.int().min(1, 'must be at least 1') }),
      responses: { 200: { description: 'The body', schema: z.object({ n: z.int() }) } },
      handler: async ({ body }) => body,
    });
    api.seal();
    expect((await app.inject({ method: 'POST', url: '/echo', payload: { n: 2 } })).json()).toEqual({ n: 2 });
    const bad = await app.inject({ method: 'POST', url: '/echo', payload: { n: 0 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ code: 'VALIDATION_FAILED', message: 'n: must be at least 1' });
    const other = await app.inject({ method: 'PUT', url: '/echo' });
    expect(other.statusCode).toBe(405);
    expect(other.headers['allow']).toBe('POST, OPTIONS');
    await app.close();
  });
});
