import { describe, expect, it } from 'vitest';
import { createEndpointSchema, EVENT_DATA, MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, SUBSCRIBABLE_EVENT_TYPES, WEBHOOK_EVENT_TYPES } from './webhooks.ts';

describe('the webhook catalogue', () => {
  it('has a payload schema for every event, and endpoints subscribe to all but the test event', () => {
    expect(Object.keys(EVENT_DATA).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    expect(SUBSCRIBABLE_EVENT_TYPES).not.toContain('webhook.test');
    expect(SUBSCRIBABLE_EVENT_TYPES).toHaveLength(WEBHOOK_EVENT_TYPES.length - 1);
  });

  it('drops whatever a payload schema does not name, so a key or a secret cannot ride along', () => {
    const data = EVENT_DATA['key.created'].parse({
      userId: '00000000-0000-4000-8000-000000000001',
      key: { id: '00000000-0000-4000-8000-000000000002', name: 'ci', masked: 'hm_AbCd…', key: 'hm_secretsecretsecretsecretsecret12', keyHash: '$2b$…' },
      expiresAt: null,
      rotatedFromId: null,
      secret: 'whsec_x',
    });
    expect(JSON.stringify(data)).not.toMatch(/secret|keyHash|hm_secret/);
    expect(data.key).toEqual({ id: '00000000-0000-4000-8000-000000000002', name: 'ci', masked: 'hm_AbCd…' });
  });

  it('retries at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h', () => {
    expect(RETRY_DELAYS_SECONDS).toEqual([5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    expect(MAX_ATTEMPTS).toBe(8);
  });
});

describe('endpoint input', () => {
  it('needs event types from the catalogue, kept in catalogue order without repeats', () => {
    expect(createEndpointSchema.parse({ url: 'https://x.example/h', eventTypes: ['key.revoked', 'key.created', 'key.revoked'] }).eventTypes).toEqual(['key.created', 'key.revoked']);
    const none = createEndpointSchema.safeParse({ url: 'https://x.example/h', eventTypes: [] });
    expect(none.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['eventTypes', 'pick at least one event type']]);
    const unknown = createEndpointSchema.safeParse({ url: 'https://x.example/h', eventTypes: ['webhook.test'] });
    expect(unknown.error?.issues[0]?.message).toMatch(/^must be one of quota\.threshold_reached/);
  });
});
