import { useQuery } from '@tanstack/react-query';
import { forgetAllKeys } from '../../ui/lib/handoff.ts';
import { meQueryKey, queryClient, trpc, type Me } from './trpc.ts';

/** The signed-in admin; null only in the moment a session ends (the shell then leaves for sign-in). */
export function useMe(): Me | null {
  const { data } = useQuery({ ...trpc.auth.me.queryOptions(), staleTime: Infinity });
  return data ?? null;
}

/** Viewers can look but not change anything: the server enforces it, the SPA hides or disables the controls. */
export function useCanWrite(): boolean {
  const me = useMe();
  return me !== null && me.admin.role !== 'viewer';
}

export function rememberSession(me: Me): void {
  queryClient.setQueryData(meQueryKey(), me);
}

/** Forgets everything the session could see: cached data, and any key handed to the playground. */
export function forgetSession(): void {
  queryClient.setQueryData(meQueryKey(), null);
  forgetAllKeys();
  const meHash = JSON.stringify(meQueryKey());
  queryClient.removeQueries({ predicate: (q) => JSON.stringify(q.queryKey) !== meHash });
}

/** Set when a session ends under the admin's feet, so the sign-in page can say why they are there. */
let expiredNotice = false;
export function markSessionExpired(): void {
  expiredNotice = true;
}
export function takeExpiredNotice(): boolean {
  const was = expiredNotice;
  expiredNotice = false;
  return was;
}
