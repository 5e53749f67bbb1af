import { randomBytes } from 'node:crypto';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../routers/root.ts';
import type { TestServer } from './server.ts';
import type { TestSmtp } from './smtp.ts';

export interface CustomerSessionCookie {
  email: string;
  /** `harmonic_portal=…`, ready for a Cookie header. */
  cookie: string;
  sessionToken: string;
  csrfToken: string;
  /** The Set-Cookie header exactly as the server sent it. */
  setCookie: string;
}

export interface TestCustomer {
  userId: string;
  email: string;
  password: string;
}

/** A client address of its own (a /64 of the documentation range), so fixtures never share a sign-up allowance. */
export const freshIpv6 = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;

/** One email as a test reads it: from the test SMTP server, or as the server printed it without SMTP_URL. */
export interface SeenEmail {
  to: string;
  subject: string;
  text: string;
}

/**
 * The emails a test server sends: its test SMTP server's when it has one (SMTP_URL), else what it
 * printed on the console. `mark()` then `link(…, mark)` reads the link of an email sent after the mark.
 */
export class Inbox {
  private readonly server: Pick<TestServer, 'printed'>;
  private readonly smtp: TestSmtp | undefined;

  constructor(server: Pick<TestServer, 'printed'>, smtp?: TestSmtp) {
    this.server = server;
    this.smtp = smtp;
  }

  emails(): SeenEmail[] {
    if (this.smtp) return this.smtp.messages.map((m) => ({ to: m.to[0] ?? '', subject: m.subject, text: m.text }));
    return this.server.printed.map((p) => ({
      to: /│ To: (.*)/.exec(p)?.[1]?.trim().toLowerCase() ?? '',
      subject: /│ Subject: (.*)/.exec(p)?.[1]?.trim() ?? '',
      text: p
        .split('\n')
        .map((l) => l.replace(/^│ ?/, ''))
        .join('\n'),
    }));
  }

  /** How many emails were sent so far: pass it to `next` to wait for one sent after now. */
  mark(): number {
    return this.emails().length;
  }

  /**
   * The first email to `to` after `since` that links to `path` (waiting for it: jobs send emails
   * outside the request), with the link and its token. The deadline is a ceiling for a hang.
   */
  async next(to: string, path: string, since = 0, timeoutMs = 60_000): Promise<SeenEmail & { url: URL; token: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const email of this.emails().slice(since)) {
        if (email.to !== to.toLowerCase()) continue;
        for (const match of email.text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
          const url = new URL(match[0]);
          if (url.pathname === path) return { ...email, url, token: url.searchParams.get('token') ?? '' };
        }
      }
      if (Date.now() > deadline) throw new Error(`no email to ${to} with a link to ${path} within ${timeoutMs} ms; sent: ${JSON.stringify(this.emails().map((e) => [e.to, e.subject]))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Whether any email went to `to` after `since`. */
  sentTo(to: string, since = 0): SeenEmail[] {
    return this.emails()
      .slice(since)
      .filter((e) => e.to === to.toLowerCase());
  }
}

/**
 * A customer signed up through the real service (from an address of its own), who has received
 * the verification email; verified by following its link, unless asked not to be.
 */
export async function createCustomer(
  server: Pick<TestServer, 'services' | 'orm' | 'printed'>,
  opts: { verified?: boolean; email?: string; name?: string; inbox?: Inbox } = {},
): Promise<TestCustomer & { verifyToken: string }> {
  const { services } = server;
  const inbox = opts.inbox ?? new Inbox(server);
  const email = opts.email ?? `customer-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  const since = inbox.mark();
  const { user } = await services.customerAuth.signUp(server.orm.em.fork(), { email, name: opts.name ?? 'Test Customer', password, ip: freshIpv6(), userAgent: 'test' });
  // Waited for either way: the email's own link is the only one that works (it replaces older ones).
  const { token } = await inbox.next(email, '/verify-email', since);
  if (opts.verified !== false) await services.customerAccounts.verifyEmail(server.orm.em.fork(), token, '127.0.0.1');
  return { userId: user.id, email, password, verifyToken: token };
}

/** Signs in through the real HTTP endpoint, as the portal does. */
export async function signInCustomer(server: Pick<TestServer, 'url'>, email: string, password: string, headers: Record<string, string> = {}): Promise<CustomerSessionCookie> {
  const res = await fetch(`${server.url}/trpc/portal.auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`customer sign-in failed: ${res.status} ${JSON.stringify(body)}`);
  return sessionFrom(email, res, body);
}

/** The session a sign-in or sign-up answer set. */
export function sessionFrom(email: string, res: Response, body: { result: { data: { csrfToken: string } } }): CustomerSessionCookie {
  const setCookie = res.headers.get('set-cookie') ?? '';
  const sessionToken = /harmonic_portal=([^;]+)/.exec(setCookie)?.[1] ?? '';
  return { email, cookie: `harmonic_portal=${sessionToken}`, sessionToken, csrfToken: body.result.data.csrfToken, setCookie };
}

/** A typed tRPC client that sends the customer cookie and CSRF token, as the portal does. */
export function portalClient(server: Pick<TestServer, 'url'>, session?: Pick<CustomerSessionCookie, 'cookie' | 'csrfToken'>, extraHeaders: Record<string, string> = {}) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${server.url}/trpc`,
        headers: () => ({ ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrfToken } : {}), ...extraHeaders }),
      }),
    ],
  });
}
