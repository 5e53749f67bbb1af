import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, webhookSignature } from './signature.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

interface Vector {
  file: string;
  secret: string;
  signature: string;
  bytes: number;
}
const { vectors } = JSON.parse(fixture('signature-vectors.json').toString('utf8')) as { vectors: Vector[] };

describe('webhook signatures', () => {
  it('has the shared vectors', () => expect(vectors.length).toBe(2));

  it.each(vectors)('verifies the shared vector over $file exactly as stored', (v) => {
    const body = fixture(v.file);
    expect(body.length).toBe(v.bytes);
    expect(webhookSignature(body, v.secret)).toBe(v.signature);
    expect(verifyWebhookSignature(body, v.signature, v.secret)).toBe(true);
    // Upper-case hex is the same digest.
    expect(verifyWebhookSignature(body, v.signature.toUpperCase(), v.secret)).toBe(true);
  });

  it.each(vectors)('refuses $file once one byte changes, or once re-serialised', (v) => {
    const body = Buffer.from(fixture(v.file));
    body[body.length - 2] = body[body.length - 2]! ^ 1;
    expect(verifyWebhookSignature(body, v.signature, v.secret)).toBe(false);
    const reserialised = JSON.stringify(JSON.parse(fixture(v.file).toString('utf8')));
    expect(verifyWebhookSignature(reserialised, v.signature, v.secret)).toBe(false);
    expect(verifyWebhookSignature(Buffer.concat([fixture(v.file), Buffer.from('\n')]), v.signature, v.secret)).toBe(false);
  });

  it('refuses another secret, a missing, short, long or non-hex signature', () => {
    const v = vectors[0]!;
    const body = fixture(v.file);
    expect(verifyWebhookSignature(body, v.signature, 'another-secret')).toBe(false);
    expect(verifyWebhookSignature(body, undefined, v.secret)).toBe(false);
    expect(verifyWebhookSignature(body, '', v.secret)).toBe(false);
    expect(verifyWebhookSignature(body, v.signature.slice(0, 62), v.secret)).toBe(false);
    expect(verifyWebhookSignature(body, `${v.signature}00`, v.secret)).toBe(false);
    expect(verifyWebhookSignature(body, `${v.signature.slice(0, 63)}g`, v.secret)).toBe(false);
  });
});
