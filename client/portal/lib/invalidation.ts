import { useQueryClient } from '@tanstack/react-query';
import { trpc } from './trpc.ts';

/** The portal API's domains, as the portal caches them (`trpc.portal.<domain>.*`). */
export type PortalDomain = 'auth' | 'account' | 'keys' | 'usage' | 'plan' | 'webhooks' | 'alerts';

/**
 * What a write in each domain can change on screen, declared once so every call
 * site refreshes the same things: a change of profile or email shows in the
 * signed-in customer (auth.me) as well as on the account screen.
 */
export const AFFECTED_BY: Record<PortalDomain, readonly PortalDomain[]> = {
  auth: ['auth', 'account', 'keys'],
  account: ['account', 'auth'],
  // A key's creation, rotation or revocation is an event: it shows in the delivery logs.
  keys: ['keys', 'usage', 'webhooks'],
  usage: ['usage'],
  // A plan change moves the customer's tier, which the signed-in customer (auth.me) shows too.
  // An upgrade resolves the alerts the new quota is above.
  plan: ['plan', 'usage', 'auth', 'alerts'],
  webhooks: ['webhooks'],
  alerts: ['alerts'],
};

/** `await invalidate('keys')` after a successful write in that domain. */
export function useInvalidate(): (domain: PortalDomain) => Promise<void> {
  const queryClient = useQueryClient();
  return async (domain) => {
    // The one place the portal drops cached answers (eslint keeps it that way).
    // eslint-disable-next-line no-restricted-properties
    await Promise.all(AFFECTED_BY[domain].map((d) => queryClient.invalidateQueries(trpc[d].pathFilter())));
  };
}
