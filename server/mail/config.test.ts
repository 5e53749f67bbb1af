import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { jobsEnvShape } from '../jobs/config.ts';
import { mailEnvShape } from './config.ts';

const issues = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
};

describe('mail configuration', () => {
  it('prints to the console by default, from the product name at localhost', () => {
    const { mail } = loadConfig({});
    expect(mail).toEqual({ smtpUrl: undefined, from: 'Harmonic <no-reply@localhost>', productName: 'Harmonic', retry: { limit: 6, delaySeconds: 30 } });
    expect(loadConfig({ PRODUCT_NAME: 'Acme API' }).mail.from).toBe('Acme API <no-reply@localhost>');
  });

  it('takes SMTP_URL, MAIL_FROM and PRODUCT_NAME as given', () => {
    const { mail } = loadConfig({ SMTP_URL: 'smtps://user:pass@smtp.example.com:465', MAIL_FROM: 'Acme <hello@acme.test>', PRODUCT_NAME: 'Acme' });
    expect(mail).toMatchObject({ smtpUrl: 'smtps://user:pass@smtp.example.com:465', from: 'Acme <hello@acme.test>', productName: 'Acme' });
    expect(loadConfig({ MAIL_FROM: 'hello@acme.test' }).mail.from).toBe('hello@acme.test');
  });

  it('refuses an SMTP_URL of another scheme without echoing it, since it holds a password', () => {
    const found = issues({ SMTP_URL: 'http://user:hunter2@smtp.example.com' });
    expect(found).toEqual(['SMTP_URL=(hidden): must start with smtp:// or smtps://']);
  });

  it('refuses a MAIL_FROM that is not one address, and a PRODUCT_NAME that could break a header', () => {
    expect(issues({ MAIL_FROM: 'not an address' })[0]).toMatch(/^MAIL_FROM="not an address": must be one address/);
    expect(issues({ MAIL_FROM: 'a@b.test, c@d.test' })[0]).toMatch(/^MAIL_FROM=.*must be one address/);
    expect(issues({ PRODUCT_NAME: 'Acme\r\nBcc: victim@example.com' })[0]).toMatch(/^PRODUCT_NAME=.*must be one line of text/);
  });

  it('bounds the retries and the job polling interval', () => {
    expect(issues({ MAIL_RETRY_LIMIT: '100' })[0]).toMatch(/^MAIL_RETRY_LIMIT="100": must be a whole number from 0 to 20/);
    expect(issues({ JOBS_POLL_SECONDS: '0.1' })[0]).toMatch(/^JOBS_POLL_SECONDS="0.1": must be a number of seconds from 0.5 to 60/);
    expect(loadConfig({ JOBS_POLL_SECONDS: '0.5' }).jobs).toEqual({ pollingIntervalSeconds: 0.5, poolMax: 5 });
  });
});

describe('the README', () => {
  it('lists every mail and jobs variable in its configuration table', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('\n## Configuration\n'), readme.indexOf('\n### The embedded database\n'));
    for (const name of [...Object.keys(mailEnvShape), ...Object.keys(jobsEnvShape)]) expect(table, `${name} is missing from README.md`).toMatch(new RegExp(`\\| \`${name}\`|/ \`${name}\``));
  });
});
