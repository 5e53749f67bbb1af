import { randomBytes } from 'node:crypto';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AdminRole } from '../../shared/admin.ts';
import type { AppRouter } from '../routers/root.ts';
import type { Services } from '../services.ts';
import { TEST_ACTOR } from './fixtures.ts';
import type { TestServer } from './server.ts';

export interface AdminSessionCookie {
  email: string;
  /** `harmonic_session=…`, ready for a Cookie header. */
  cookie: string;
  sessionToken: string;
  csrfToken: string;
  /** The Set-Cookie header exactly as the server sent it. */
  setCookie: string;
}

export async function createAdmin(services: Services, role: AdminRole, email = `${role}-${randomBytes(3).toString('hex')}@example.com`) {
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  await services.adminAccounts.createAccount(services.orm.em.fork(), { email, role, password }, TEST_ACTOR);
  return { email, password };
}

/** Signs in through the real HTTP endpoint, as the SPA does. */
export async function signIn(server: Pick<TestServer, 'url'>, email: string, password: string, headers: Record<string, string> = {}): Promise<AdminSessionCookie> {
  const res = await fetch(`${server.url}/trpc/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(body)}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const sessionToken = /harmonic_session=([^;]+)/.exec(setCookie)?.[1] ?? '';
  return { email, cookie: `harmonic_session=${sessionToken}`, sessionToken, csrfToken: body.result.data.csrfToken, setCookie };
}

export async function signInAs(server: TestServer, role: AdminRole): Promise<AdminSessionCookie> {
  const { email, password } = await createAdmin(server.services, role);
  return signIn(server, email, password);
}

/** A typed tRPC client that sends the session cookie and CSRF token, as the SPA does. */
export function adminClient(server: Pick<TestServer, 'url'>, session: Pick<AdminSessionCookie, 'cookie' | 'csrfToken'>, extraHeaders: Record<string, string> = {}) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${server.url}/trpc`, headers: () => ({ cookie: session.cookie, 'x-csrf-token': session.csrfToken, ...extraHeaders }) })],
  });
}
