import { Link } from '@tanstack/react-router';
import type { BillingEventState, BillingEventView } from '../../../shared/billing.ts';
import { Badge, type BadgeTone } from '../../ui/components/card.tsx';
import { TBody, THead, Table, Td, Th } from '../../ui/components/table.tsx';
import { formatDateTime } from '../../ui/lib/format.ts';

/** Each processing state as a word and a colour, with what it means for the admin. */
export const EVENT_STATES: Record<BillingEventState, { label: string; tone: BadgeTone; hint: string }> = {
  pending: { label: 'Pending', tone: 'brand', hint: 'Stored; its job has not run yet' },
  processed: { label: 'Processed', tone: 'green', hint: 'Applied (or older than what is stored, so skipped)' },
  unmatched: { label: 'Unmatched', tone: 'amber', hint: 'No user found for it: assign it to one' },
  ignored: { label: 'Ignored', tone: 'neutral', hint: 'An event Harmonic does not act on' },
  failed: { label: 'Failed', tone: 'red', hint: 'Processing gave up: see why, then replay it' },
};

export function EventStateBadge({ state }: { state: BillingEventState }) {
  const s = EVENT_STATES[state];
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

/** Stored webhook deliveries, newest first; each opens in the Billing screen's drawer. */
export function BillingEventsTable({ events, label, showUser = true }: { events: BillingEventView[]; label: string; showUser?: boolean }) {
  return (
    <Table label={label}>
      <THead>
        <tr>
          <Th>Received</Th>
          <Th>Event</Th>
          <Th>State</Th>
          {showUser && <Th>User</Th>}
          <Th>Resource</Th>
          <Th>Detail</Th>
        </tr>
      </THead>
      <TBody>
        {events.map((e) => (
          <tr key={e.id}>
            <Td className="whitespace-nowrap text-zinc-600">{formatDateTime(e.receivedAt)}</Td>
            <Td>
              <Link to="/billing" search={(s) => ({ ...s, event: e.id })} className="font-mono text-xs font-medium text-zinc-900 hover:text-brand-700 hover:underline">
                {e.eventName}
              </Link>
              {e.testMode && (
                <Badge className="ml-2" tone="neutral">
                  Test
                </Badge>
              )}
            </Td>
            <Td>
              <EventStateBadge state={e.state} />
            </Td>
            {showUser && (
              <Td>
                {e.userId ? (
                  <Link to="/users/$userId" params={{ userId: e.userId }} className="text-zinc-900 hover:text-brand-700 hover:underline">
                    {e.userEmail ?? e.userId}
                  </Link>
                ) : (
                  <span className="text-zinc-500">{e.payloadEmail ? `${e.payloadEmail} (from the payload)` : '—'}</span>
                )}
              </Td>
            )}
            <Td className="font-mono text-xs text-zinc-600">
              {e.resourceType}/{e.resourceId}
            </Td>
            <Td className="max-w-xs truncate whitespace-nowrap text-zinc-600" title={e.detail ?? undefined}>
              {e.detail ?? <span className="text-zinc-400">—</span>}
            </Td>
          </tr>
        ))}
      </TBody>
    </Table>
  );
}
