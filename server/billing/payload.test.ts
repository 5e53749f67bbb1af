import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { invoiceAttributesSchema, subscriptionPayload, webhookEnvelopeSchema } from './payload.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as unknown;

describe('webhook payloads', () => {
  it('reads the recorded subscription_created bodies: ids as strings, custom data normalised', () => {
    const hyper = webhookEnvelopeSchema.parse(fixture('webhook-subscription_created.json'));
    expect(hyper.meta).toMatchObject({ event_name: 'subscription_created', webhook_id: 'e0896ad4-cccf-4151-8468-46349b642785', custom_data: { user_id: '9104e76a-a73e-412b-b8d6-03064ce37347' } });
    const sub = subscriptionPayload(hyper.data.id, hyper.data.attributes);
    expect(sub).toMatchObject({
      id: '1334098',
      variantId: '896458',
      productId: '575214',
      status: 'on_trial',
      billingAnchor: 19,
      userEmail: 'customer@example.com',
      testMode: true,
    });
    expect(sub.updatedAt.toISOString()).toBe('2025-07-12T10:23:36.000Z');
    expect(sub.renewsAt?.toISOString()).toBe('2025-07-19T10:23:32.000Z');

    const codewriter = webhookEnvelopeSchema.parse(fixture('webhook-subscription_created.codewriter.json'));
    // No custom data at all: an empty record, not a crash.
    expect(codewriter.meta.custom_data).toEqual({});
    expect(subscriptionPayload(codewriter.data.id, codewriter.data.attributes).id).toBe('421953');
  });

  it('turns numeric custom data into strings and takes [] for an empty object', () => {
    const base = { meta: { event_name: 'subscription_updated' }, data: { type: 'subscriptions', id: 1, attributes: {} } };
    expect(webhookEnvelopeSchema.parse({ ...base, meta: { ...base.meta, custom_data: { user_id: 123, campaign: 'abc', nested: { x: 1 } } } }).meta.custom_data).toEqual({ user_id: '123', campaign: 'abc' });
    expect(webhookEnvelopeSchema.parse({ ...base, meta: { ...base.meta, custom_data: [] } }).meta.custom_data).toEqual({});
    expect(webhookEnvelopeSchema.parse(base).data.id).toBe('1');
  });

  it('reads the documented cancelled and expired bodies, and the recorded invoices', () => {
    for (const file of ['webhook-subscription_cancelled.json', 'webhook-subscription_expired.json', 'webhook-subscription_updated.json']) {
      const e = webhookEnvelopeSchema.parse(fixture(file));
      expect(subscriptionPayload(e.data.id, e.data.attributes).status).toMatch(/^(cancelled|expired|active|on_trial)$/);
    }
    const cancelled = webhookEnvelopeSchema.parse(fixture('webhook-subscription_cancelled.json'));
    expect(subscriptionPayload(cancelled.data.id, cancelled.data.attributes).endsAt?.toISOString()).toBe('2022-11-12T00:00:00.000Z');
    for (const file of ['webhook-subscription_payment_success.json', 'webhook-subscription_payment_success.codewriter.json']) {
      const e = webhookEnvelopeSchema.parse(fixture(file));
      expect(e.data.type).toBe('subscription-invoices');
      expect(invoiceAttributesSchema.parse(e.data.attributes).subscription_id).toMatch(/^\d+$/);
    }
    const paid = webhookEnvelopeSchema.parse(fixture('webhook-subscription_payment_success.codewriter.json'));
    expect(invoiceAttributesSchema.parse(paid.data.attributes)).toMatchObject({ subscription_id: '421953', total: 1999, total_formatted: '€19.99', currency: 'EUR' });
  });

  it('refuses a status Lemon Squeezy does not have', () => {
    const e = webhookEnvelopeSchema.parse(fixture('webhook-subscription_updated.json'));
    expect(() => subscriptionPayload(e.data.id, { ...e.data.attributes, status: 'frozen' })).toThrow();
  });
});
