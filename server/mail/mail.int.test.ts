import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from '../testing/dump.ts';
import { waitForJob } from '../testing/jobs.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { startTestSmtp, type TestSmtp } from '../testing/smtp.ts';
import { mailQueue, type MailService } from './service.ts';

/**
 * A kind of email as the accounts code defines one: the job data holds a user
 * id, and compose mints a fresh link token on every attempt (kept here, as a
 * real one would keep only its hash).
 */
function defineVerify(mail: MailService, minted: string[]) {
  mail.define<{ userId: string; skip?: boolean }>('test-verify', async (_em, { userId, skip }) => {
    if (skip) return null;
    const token = randomBytes(24).toString('base64url');
    minted.push(token);
    return {
      to: `${userId}@example.com`,
      subject: 'Confirm your email',
      ...mail.render({
        heading: 'Confirm your email',
        paragraphs: [`Hello ${userId},`, 'Confirm the address you signed up with.'],
        action: { label: 'Confirm email', url: mail.link('/verify', { token }) },
        footer: 'If you did not sign up, ignore this email.',
      }),
    };
  });
}

const parsedLogs = (server: TestServer) => server.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('email over SMTP', () => {
  let smtp: TestSmtp;
  let server: TestServer;
  const minted: string[] = [];
  let firstJob: string | null = null;

  beforeAll(async () => {
    smtp = await startTestSmtp();
    server = await startTestServer({
      env: {
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Acme <hello@acme.test>',
        PRODUCT_NAME: 'Acme API',
        MAIL_RETRY_LIMIT: '3',
        MAIL_RETRY_DELAY_SECONDS: '1',
        JOBS_POLL_SECONDS: '0.5',
      },
    });
    defineVerify(server.services.mail, minted);
    await server.services.jobs.ready();
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  it('delivers an enqueued email with a text and an HTML part, from MAIL_FROM, naming the operator, its link on this server', async () => {
    firstJob = await server.orm.em.fork().transactional((tx) => server.services.mail.enqueue(tx, 'test-verify', { userId: 'ada' }));
    const message = await smtp.waitForMessage((m) => m.to.includes('ada@example.com'));

    expect(message.subject).toBe('Confirm your email');
    expect(message.from).toBe('hello@acme.test');
    expect(message.parsed.from?.value).toEqual([{ name: 'Acme', address: 'hello@acme.test' }]);
    expect(message.user).toBe('harmonic');
    expect(message.text).toContain('Hello ada,');
    expect(message.html).toContain('<h1 style="margin:0 0 16px;font-size:20px">Confirm your email</h1>');
    // PUBLIC_URL is unset: links go to http://localhost on the port the server listens on.
    const port = new URL(server.url).port;
    for (const part of [message.text, message.html]) {
      expect(part).toContain('Acme API');
      expect(part).toContain(`http://localhost:${port}`);
    }
    const link = smtp.linkIn(message, '/verify');
    expect(link.origin).toBe(`http://localhost:${port}`);
    expect(link.searchParams.get('token')).toBe(minted.at(-1));
  });

  it('keeps the token out of the database (job data included) and the logs; the log names the kind and the domain only', async () => {
    // The SMTP server has the message before the client reads its reply: wait for the job's end.
    await waitForJob(server.services.jobs, mailQueue('test-verify'), firstJob ?? '');
    const token = minted.at(-1) ?? 'missing';
    const dump = await dumpDatabase(server.db.url);
    // The job is there, holding the user's id and nothing else.
    expect(dump.text).toContain('{"userId": "ada"}');
    expect(dump.text.includes(token)).toBe(false);
    const logs = server.logs.join('\n');
    expect(logs.includes(token)).toBe(false);
    expect(logs).not.toContain('ada@');
    expect(parsedLogs(server)).toContainEqual(expect.objectContaining({ msg: 'email sent', kind: 'test-verify', domain: 'example.com', transport: 'smtp' }));
  });

  it('retries while the SMTP server refuses, then delivers, with a link minted on the attempt that got through', async () => {
    smtp.failNext(2, 451);
    const before = minted.length;
    await server.services.mail.enqueue(server.orm.em.fork(), 'test-verify', { userId: 'grace' });
    const message = await smtp.waitForMessage((m) => m.to.includes('grace@example.com'));

    expect(smtp.refused).toBe(2);
    expect(minted.length - before).toBe(3);
    expect(smtp.linkIn(message, '/verify').searchParams.get('token')).toBe(minted.at(-1));
    const retries = parsedLogs(server).filter((l) => l['queue'] === mailQueue('test-verify') && l['msg'] === 'job mail.test-verify failed; will retry');
    expect(retries).toHaveLength(2);
    expect(JSON.stringify(retries)).toContain('SMTP delivery of a test-verify email to example.com failed: EMESSAGE, reply 451');
    expect(JSON.stringify(retries)).not.toContain('grace@');
  });

  it('fails the job for good with a warn log when SMTP keeps refusing, and a resend later goes through', async () => {
    smtp.failNext(1_000, 550);
    const id = await server.services.mail.enqueue(server.orm.em.fork(), 'test-verify', { userId: 'linus' });
    const job = await waitForJob(server.services.jobs, mailQueue('test-verify'), id ?? '', { states: ['failed', 'completed'] });
    expect(job).toMatchObject({ state: 'failed', retryCount: 3 });
    expect(parsedLogs(server)).toContainEqual(
      expect.objectContaining({ level: 40, queue: 'mail.test-verify', jobId: id, msg: 'job mail.test-verify failed for good after 4 attempts' }),
    );

    smtp.failNext(0);
    await server.services.mail.enqueue(server.orm.em.fork(), 'test-verify', { userId: 'linus' });
    const message = await smtp.waitForMessage((m) => m.to.includes('linus@example.com'));
    expect(smtp.linkIn(message, '/verify').searchParams.get('token')).toBe(minted.at(-1));
  });

  it('sends nothing when compose returns null, and sends nothing for a transaction that rolled back', async () => {
    const count = smtp.messages.length;
    const skipped = await server.services.mail.enqueue(server.orm.em.fork(), 'test-verify', { userId: 'skipped', skip: true });
    await expect(
      server.orm.em.fork().transactional(async (tx) => {
        await server.services.mail.enqueue(tx, 'test-verify', { userId: 'rolledback' });
        throw new Error('sign-up failed');
      }),
    ).rejects.toThrow('sign-up failed');
    await waitForJob(server.services.jobs, mailQueue('test-verify'), skipped ?? '');
    await server.services.mail.enqueue(server.orm.em.fork(), 'test-verify', { userId: 'after' });
    await smtp.waitForMessage((m) => m.to.includes('after@example.com'));
    expect(smtp.messages.slice(count).map((m) => m.to)).toEqual([['after@example.com']]);
  });

  it('counts email jobs on /metrics by queue and outcome', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/^harmonic_jobs_total\{queue="mail\.test-verify",outcome="completed"\} [1-9]/m);
    expect(text).toMatch(/^harmonic_jobs_total\{queue="mail\.test-verify",outcome="retried"\} [1-9]/m);
    expect(text).toMatch(/^harmonic_jobs_total\{queue="mail\.test-verify",outcome="failed"\} 1$/m);
    expect(text).toMatch(/^harmonic_job_queue_jobs\{queue="mail\.test-verify",state="queued"\} \d+$/m);
  });

  it('refuses job data that carries a secret, and a kind nobody defined', async () => {
    const em = server.orm.em.fork();
    await expect(server.services.mail.enqueue(em, 'test-verify', { userId: 'x', resetToken: 'abc' })).rejects.toThrow(/must hold ids, not secrets \(found "resetToken"\)/);
    await expect(server.services.mail.enqueue(em, 'test-verify', { userId: 'x', nested: [{ password: 'p' }] })).rejects.toThrow(/found "password"/);
    await expect(server.services.mail.enqueue(em, 'nobody-defined-this', { userId: 'x' })).rejects.toThrow(/not defined/);
    // An id of a token row is an id.
    expect(await server.services.mail.enqueue(em, 'test-verify', { userId: 'x', skip: true, tokenId: 'b2b1' })).toEqual(expect.any(String));
  });
});

describe('email without SMTP_URL', () => {
  let server: TestServer;
  const minted: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { PUBLIC_URL: 'https://harmonic.example.test', JOBS_POLL_SECONDS: '0.5' } });
    defineVerify(server.services.mail, minted);
    await server.services.jobs.ready();
  });
  afterAll(() => server.close());

  it('prints each email once on the console, readable, with its link on PUBLIC_URL, and keeps it out of the JSON log', async () => {
    const id = await server.services.mail.enqueue(server.orm.em.fork(), 'test-verify', { userId: 'newcomer' });
    await waitForJob(server.services.jobs, mailQueue('test-verify'), id ?? '');

    expect(server.printed).toHaveLength(1);
    const [printed = ''] = server.printed;
    const token = minted.at(-1) ?? 'missing';
    expect(printed).toContain('│ To: newcomer@example.com');
    expect(printed).toContain('│ Subject: Confirm your email');
    expect(printed).toContain('│ Hello newcomer,');
    expect(printed.split('\n')).toContain(`│ https://harmonic.example.test/verify?token=${token}`);
    expect(printed).toContain('│ Harmonic');

    const logs = server.logs.join('\n');
    expect(logs.includes(token)).toBe(false);
    expect(logs).not.toContain('newcomer@');
    expect(parsedLogs(server)).toContainEqual(
      expect.objectContaining({ msg: 'email printed on the console (SMTP_URL is unset)', kind: 'test-verify', domain: 'example.com', transport: 'console' }),
    );
  });
});
