import { Alert } from '../../ui/components/feedback.tsx';
import { BILLING_OFF } from '../lib/billing.ts';

/** What every billing panel shows while billing is off, instead of an error. */
export function BillingOff({ className }: { className?: string }) {
  return (
    <Alert tone="info" title={BILLING_OFF} className={className}>
      With all three set (see docs/operations.md), customers can buy and change plans on the portal, and Lemon Squeezy's webhooks move their tiers.
    </Alert>
  );
}
