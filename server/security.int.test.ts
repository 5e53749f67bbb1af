import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from './testing/dump.ts';
import { createUserWithKey, postData } from './testing/fixtures.ts';
import { startTestServer, type TestServer } from './testing/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LOG_LEVEL: 'debug' } });
});
afterAll(() => server.close());

describe('no plaintext key is ever stored or logged', () => {
  it('leaves no key (or its secret part) in a database dump or in the logs', async () => {
    const owner = await createUserWithKey(server.services);
    const keys = [owner.key];
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${server.url}/api/v1${path}`, { ...init, headers: { 'x-api-key': owner.key, 'content-type': 'application/json', ...init.headers } });

    const created = await (await api('/keys', { method: 'POST', body: JSON.stringify({ name: 'dump-check' }) })).json();
    keys.push(created.key);
    const rotated = await (await api(`/keys/${created.id}/rotate`, { method: 'POST', body: JSON.stringify({ gracePeriodSeconds: 60 }) })).json();
    keys.push(rotated.key.key);
    for (const key of keys) expect((await postData(server.url, { query: 'secret?', sources: 'kb' }, key)).status).toBe(200);
    // Bad keys get logged as requests too; they must not appear either.
    const bad = `${owner.key.slice(0, 20)}${'Z'.repeat(15)}`;
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, bad)).status).toBe(401);
    await server.services.ledger.flush();

    const dump = await dumpDatabase(server.db.url);
    const logs = server.logs.join('\n');
    expect(dump.text.length).toBeGreaterThan(1000);
    expect(logs).toContain('"msg":"request"');
    for (const key of [...keys, bad]) {
      const secret = key.slice(11);
      expect(dump.text.includes(secret), `secret part of ${key.slice(0, 11)}… in the dump (${dump.via})`).toBe(false);
      expect(logs.includes(secret), `secret part of ${key.slice(0, 11)}… in the logs`).toBe(false);
    }
  });
});
