import { useQueryClient } from '@tanstack/react-query';
import { trpc } from './trpc.ts';

/** The admin API's domains, as the SPA caches them (`trpc.admin.<domain>.*`). */
export type AdminDomain = 'users' | 'keys' | 'tiers' | 'analytics' | 'audit' | 'accounts' | 'kb' | 'managementKeys' | 'settings' | 'billing' | 'webhooks';

/**
 * What a write in each domain can change on screen, declared once so every call
 * site refreshes the same things. Every admin write is audited, so each lists the
 * audit log; anything that changes a user's keys, tier or status changes the
 * counts shown on users, keys and analytics alike.
 */
export const AFFECTED_BY: Record<AdminDomain, readonly AdminDomain[]> = {
  users: ['users', 'keys', 'analytics', 'audit'],
  // A key's creation, rotation or revocation is an event: it shows in the delivery logs.
  keys: ['keys', 'users', 'analytics', 'audit', 'webhooks'],
  analytics: ['analytics', 'users', 'keys', 'audit'],
  tiers: ['tiers', 'users', 'analytics', 'audit'],
  // Billing moves users between tiers.
  billing: ['billing', 'users', 'tiers', 'analytics', 'audit'],
  kb: ['kb', 'audit'],
  accounts: ['accounts', 'audit'],
  managementKeys: ['managementKeys', 'audit'],
  settings: ['settings', 'audit'],
  webhooks: ['webhooks', 'audit'],
  audit: ['audit'],
};

/** `await invalidate('keys')` after a successful write in that domain. */
export function useInvalidate(): (domain: AdminDomain) => Promise<void> {
  const queryClient = useQueryClient();
  return async (domain) => {
    // The one place the SPA drops cached answers (eslint keeps it that way).
    // eslint-disable-next-line no-restricted-properties
    await Promise.all(AFFECTED_BY[domain].map((d) => queryClient.invalidateQueries(trpc.admin[d].pathFilter())));
  };
}
