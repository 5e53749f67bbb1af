import { ExternalLink } from 'lucide-react';
import type { InvoiceView, SubscriptionView } from '../../shared/billing.ts';
import { Badge } from './components/card.tsx';
import { TBody, THead, Table, Td, Th } from './components/table.tsx';
import { invoiceReason, invoiceStatus, safeLink, subscriptionStatus } from './lib/billing.ts';
import { formatDate } from './lib/format.ts';

/** A subscription's status as a badge and its sentence ("Renews on 2 Jan 2027"), for the portal and the admin app alike. */
export function SubscriptionStatusLine({ subscription, now }: { subscription: SubscriptionView; now: number }) {
  const s = subscriptionStatus(subscription, now);
  return (
    <p className="flex flex-wrap items-center gap-2 text-sm text-zinc-800" data-testid="subscription-status">
      <Badge tone={s.tone}>{s.label}</Badge>
      <span>{s.sentence}</span>
    </p>
  );
}

/** The billing history: date, reason, status, amount and Lemon Squeezy's invoice link. */
export function InvoicesTable({ invoices, label = 'Invoices' }: { invoices: InvoiceView[]; label?: string }) {
  return (
    <Table label={label}>
      <THead>
        <tr>
          <Th>Date</Th>
          <Th>Reason</Th>
          <Th>Status</Th>
          <Th className="text-right">Amount</Th>
          <Th>Invoice</Th>
        </tr>
      </THead>
      <TBody>
        {invoices.map((inv) => {
          const status = invoiceStatus(inv);
          const link = safeLink(inv.invoiceUrl);
          return (
            <tr key={inv.id}>
              <Td className="whitespace-nowrap">{formatDate(inv.createdAt)}</Td>
              <Td>{invoiceReason(inv.billingReason)}</Td>
              <Td>
                <Badge tone={status.tone}>{status.label}</Badge>
              </Td>
              <Td className="text-right tabular-nums">{inv.totalFormatted}</Td>
              <Td>
                {link ? (
                  <a href={link} target="_blank" rel="noopener noreferrer" className="inline-flex items-center gap-1 font-medium text-brand-700 hover:underline">
                    View<span className="sr-only"> the invoice of {formatDate(inv.createdAt)} (opens in a new tab)</span>
                    <ExternalLink className="size-3.5" aria-hidden="true" />
                  </a>
                ) : (
                  <span className="text-zinc-400">—</span>
                )}
              </Td>
            </tr>
          );
        })}
      </TBody>
    </Table>
  );
}
