import { useQuery } from '@tanstack/react-query';
import { readError } from '../../ui/lib/errors.ts';
import { trpc } from './trpc.ts';

export const BILLING_OFF = 'Billing is off — set LEMONSQUEEZY_API_KEY, _STORE_ID and _WEBHOOK_SECRET';

/** The server's answer while billing is off: admin.billing.* is 503 (SERVICE_UNAVAILABLE). */
export function isBillingOffError(err: unknown): boolean {
  const e = readError(err);
  return e.httpStatus === 503 || e.code === 'SERVICE_UNAVAILABLE';
}

/**
 * Whether billing is on, asked once and kept a minute: the Billing screen, the
 * dashboard and the user page ask for billing data only when it is. Billing off
 * (503, or `enabled: false`) is a state to show, not an error, and asking
 * again does not turn it on.
 */
export function useBillingStatus() {
  const status = useQuery({
    ...trpc.admin.billing.status.queryOptions(),
    staleTime: 60_000,
    retry: (failures: number, err: unknown) => !isBillingOffError(err) && (readError(err).httpStatus ?? 500) >= 500 && failures < 2,
  });
  const off = status.data ? !status.data.enabled : status.isError && isBillingOffError(status.error);
  return { status, off, on: status.data?.enabled === true };
}
