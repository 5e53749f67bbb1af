import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestSmtp, type ReceivedMessage } from '../../server/testing/smtp.ts';

/**
 * The browser tests' mailbox. Global setup starts a real SMTP server (the
 * server under test sends to it: SMTP_URL) and a small HTTP endpoint that the
 * tests, in Playwright's worker processes, ask for the emails it received.
 */

export interface SeenEmail {
  /** Its position among every email received, for `since`. */
  index: number;
  to: string[];
  subject: string;
  text: string;
  /** The link the caller asked for. */
  link: string;
}

/** The first link in the email to one of `paths`. */
const linkTo = (m: ReceivedMessage, paths: readonly string[]) => [...m.text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((x) => x[0]).find((u) => paths.includes(new URL(u).pathname));

/** The SMTP server and the endpoint; `close` stops both. */
export async function startMailSink(): Promise<{ smtpUrl: string; url: string; close: () => Promise<void> }> {
  const smtp = await startTestSmtp();
  const server = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://sink').searchParams;
    const to = (q.get('to') ?? '').toLowerCase();
    const path = q.getAll('path');
    const since = Number(q.get('since') ?? 0);
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url?.startsWith('/count')) return send(200, { count: smtp.messages.length });
    // Waits for the email (jobs send outside the request that caused them); the timeout is a ceiling for a hang.
    smtp
      .waitForMessage((m) => smtp.messages.indexOf(m) >= since && m.to.includes(to) && linkTo(m, path) !== undefined, { timeoutMs: 90_000 })
      .then(
        (m) => send(200, { index: smtp.messages.indexOf(m), to: m.to, subject: m.subject, text: m.text, link: linkTo(m, path) ?? '' } satisfies SeenEmail),
        (err: unknown) => send(404, { error: String(err) }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    smtpUrl: smtp.url,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await smtp.close();
    },
  };
}

function sinkUrl(): string {
  const url = process.env['E2E_MAIL_URL'];
  if (!url) throw new Error('E2E_MAIL_URL is not set: run the browser tests with `npx playwright test` (global setup starts the mail sink)');
  return url;
}

/** How many emails arrived so far: pass it as `since` to wait for one sent after now. */
export async function emailCount(): Promise<number> {
  const res = await fetch(`${sinkUrl()}/count`);
  return ((await res.json()) as { count: number }).count;
}

/** The first email to `to` (from `since` on) with a link to `path` (or to any of several), waiting for it to arrive. */
export async function nextEmail(to: string, path: string | readonly string[], since = 0): Promise<SeenEmail> {
  const query = new URLSearchParams({ to, since: String(since) });
  for (const p of typeof path === 'string' ? [path] : path) query.append('path', p);
  const res = await fetch(`${sinkUrl()}/next?${query}`);
  const body = (await res.json()) as SeenEmail | { error: string };
  if ('error' in body) throw new Error(`no email to ${to} linking to ${path}: ${body.error}`);
  return body;
}

/**
 * The emailed links point at PUBLIC_URL, else http://localhost:<port>; the
 * browser here talks to 127.0.0.1:<port>, which holds its cookies. Same server,
 * same path and token: open the link there.
 */
export const onThisServer = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};
