import { randomBytes } from 'node:crypto';
import { createTRPCClient, httpLink } from '@trpc/client';
import { mintLinkToken } from '../customers/links.ts';
import type { AppRouter } from '../routers/root.ts';
import type { Services } from '../services.ts';
import type { TestServer } from './server.ts';

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

/** A customer signed up through the real service (from an address of its own), verified unless asked not to be. */
export async function createCustomer(services: Services, opts: { verified?: boolean; email?: string; name?: string } = {}): Promise<TestCustomer> {
  const email = opts.email ?? `customer-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  const { user } = await services.customerAuth.signUp(services.orm.em.fork(), { email, name: opts.name ?? 'Test Customer', password, ip: freshIpv6(), userAgent: 'test' });
  if (opts.verified !== false) {
    const token = await mintLinkToken(services.orm.em.fork(), { kind: 'verify_email', userId: user.id, email }, services.customerAuth.now());
    await services.customerAccounts.verifyEmail(services.orm.em.fork(), token, '127.0.0.1');
  }
  return { userId: user.id, email, password };
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
