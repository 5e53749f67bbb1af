import { useQuery } from '@tanstack/react-query';
import type { useNavigate } from '@tanstack/react-router';
import type { CustomerView, PortalInfo } from '../../../shared/portal.ts';
import { forgetAllKeys } from '../../ui/lib/handoff.ts';
import { infoOptions, meOptions, meQueryKey, queryClient, type Me } from './trpc.ts';

/** The signed-in customer; null only in the moment a session ends (the shell then leaves for sign-in). */
export function useCustomer(): CustomerView | null {
  const { data } = useQuery(meOptions());
  return data?.customer ?? null;
}

/** The product's name, sign-up's state and the public tiers; loaded by the root route before any screen shows. */
export function useInfo(): PortalInfo | undefined {
  return useQuery(infoOptions()).data;
}

export function rememberSession(me: Me): void {
  queryClient.setQueryData(meQueryKey(), me);
}

/** Forgets everything the session could see: cached data, and any key handed to the playground. */
export function forgetSession(): void {
  queryClient.setQueryData(meQueryKey(), null);
  forgetAllKeys();
  const keep = new Set([JSON.stringify(meQueryKey()), JSON.stringify(infoOptions().queryKey)]);
  queryClient.removeQueries({ predicate: (q) => !keep.has(JSON.stringify(q.queryKey)) });
}

/** Set when a session ends under the customer's feet, so the sign-in page can say why they are there. */
let expiredNotice = false;
export function markSessionExpired(): void {
  expiredNotice = true;
}
export function takeExpiredNotice(): boolean {
  const was = expiredNotice;
  expiredNotice = false;
  return was;
}

/** The session is over: unmount the portal first (its shell renders nothing without a customer), then leave and forget. */
export async function leave(navigate: ReturnType<typeof useNavigate>, to: '/login' | '/' = '/login'): Promise<void> {
  queryClient.setQueryData(meQueryKey(), null);
  await navigate({ to, replace: true });
  forgetSession();
}
