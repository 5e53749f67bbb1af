import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { DATA_LIMITS, SOURCE_NAMES } from '../../shared/data.ts';
import type { Services } from '../services.ts';

/** `GET /api/v1/data`: what the service can answer from, and where its documentation is. */
export const serviceStatusSchema = z
  .object({
    status: z.literal('ok'),
    sources: z.array(
      z.object({
        name: z.enum(SOURCE_NAMES),
        enabled: z.boolean(),
        upstreams: z.array(z.string()),
        timeoutMs: z.int(),
        cacheTtlSeconds: z.int(),
        skippedUntil: z.iso.datetime().nullable().meta({ description: 'While an upstream asked us to back off' }),
      }),
    ),
    limits: z.object({ queryMaxLength: z.int(), maxSources: z.int(), defaultResultsPerSource: z.int(), maxResultsPerSource: z.int() }),
    demo: z.object({ enabled: z.boolean().meta({ description: 'Whether calls without a key are served in demo mode' }) }),
    docs: z.string().meta({ example: '/api/v1/docs' }),
    openapi: z.string().meta({ example: '/api/v1/openapi.json' }),
  })
  .meta({ id: 'ServiceStatus' });
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;

export function serviceStatus(services: Pick<Services, 'sources' | 'usage'>): ServiceStatus {
  return {
    status: 'ok',
    sources: services.sources.describeSources(),
    limits: DATA_LIMITS,
    demo: { enabled: services.usage.demoEnabled },
    docs: '/api/v1/docs',
    openapi: '/api/v1/openapi.json',
  };
}

/** `OPTIONS /api/v1/data`: a guide for someone exploring the API with curl. */
export const apiGuideSchema = z
  .object({
    authentication: z.object({ header: z.string(), alternative: z.string(), format: z.string(), demo: z.string() }),
    quotas: z.object({
      period: z.string(),
      tiers: z.array(z.object({ name: z.string(), monthlyQuota: z.union([z.int(), z.literal('unlimited')]), priceCents: z.int().nullable() })),
      overQuota: z.string(),
      headers: z.array(z.string()),
    }),
    request: z.object({ method: z.literal('POST'), body: z.object({ query: z.string(), sources: z.string(), limit: z.string() }) }),
    examples: z.array(z.string()),
    docs: z.string(),
    openapi: z.string(),
  })
  .meta({ id: 'ApiGuide' });
export type ApiGuide = z.infer<typeof apiGuideSchema>;

export async function apiGuide(services: Pick<Services, 'tiers' | 'usage'>, em: EntityManager, publicUrl: string): Promise<ApiGuide> {
  const tiers = await services.tiers.list(em);
  return {
    authentication: {
      header: 'X-API-Key',
      alternative: 'Authorization: Bearer hm_…',
      format: 'hm_ followed by 32 characters from A-Z, a-z, 0-9',
      demo: services.usage.demoEnabled
        ? 'Without X-API-Key, calls are served in demo mode with a small monthly quota per client IP (X-Demo-Mode: true).'
        : 'Demo mode is off: every call needs X-API-Key.',
    },
    quotas: {
      period: 'calendar month, UTC; while subscribed, renewal to renewal (X-RateLimit-Reset says when yours ends)',
      tiers: tiers.map((t) => ({ name: t.name, monthlyQuota: t.monthlyQuota ?? 'unlimited', priceCents: t.priceCents })),
      overQuota: '429 with Retry-After (seconds until the next period) and a JSON body naming limit, used and resetAt',
      headers: ['X-RateLimit-Limit', 'X-RateLimit-Used', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'RateLimit-Policy', 'RateLimit'],
    },
    request: { method: 'POST', body: { query: 'string, 1-500 characters', sources: `one of or a list of: ${SOURCE_NAMES.join(', ')}`, limit: '1-20 results per source, default 5' } },
    examples: [
      `curl -X POST ${publicUrl}/api/v1/data -H 'X-API-Key: hm_…' -H 'Content-Type: application/json' -d '{"query":"rate limiting","sources":["kb","wiki"]}'`,
      `curl -X POST ${publicUrl}/api/v1/data -H 'Content-Type: application/json' -d '{"query":"weather in London","sources":"weather"}'`,
    ],
    docs: '/api/v1/docs',
    openapi: '/api/v1/openapi.json',
  };
}
