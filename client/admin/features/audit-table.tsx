import { Link } from '@tanstack/react-router';
import type { AuditEventView } from '../../../shared/admin.ts';
import { Badge } from '../../ui/components/card.tsx';
import { TBody, THead, Table, Td, Th } from '../../ui/components/table.tsx';
import { actionTone, describeDetails } from '../lib/audit.ts';
import { formatDateTime, formatRelative } from '../../ui/lib/format.ts';

export type AuditEvent = AuditEventView;

function Target({ e }: { e: AuditEvent }) {
  if (!e.targetId) return <span className="text-zinc-500">{e.targetType}</span>;
  const short = e.targetId.length > 12 ? `${e.targetId.slice(0, 8)}…` : e.targetId;
  if (e.targetType === 'user') {
    return (
      <Link to="/users/$userId" params={{ userId: e.targetId }} className="text-brand-700 hover:underline">
        user <code className="text-xs">{short}</code>
      </Link>
    );
  }
  return (
    <Link to="/audit" search={{ targetId: e.targetId }} className="text-zinc-700 hover:text-brand-700 hover:underline" title={`Every event for ${e.targetType} ${e.targetId}`}>
      {e.targetType} <code className="text-xs">{short}</code>
    </Link>
  );
}

/** Audit events, newest first: when, who (and from where), what, on what, and what changed. */
export function AuditTable({ events, label = 'Audit events' }: { events: AuditEvent[]; label?: string }) {
  return (
    <Table label={label}>
      <THead>
        <tr>
          <Th>When</Th>
          <Th>Actor</Th>
          <Th>Action</Th>
          <Th>Target</Th>
          <Th>Details</Th>
        </tr>
      </THead>
      <TBody>
        {events.map((e) => (
          <tr key={e.id} className="align-top">
            <Td className="whitespace-nowrap" title={formatDateTime(e.at)}>
              <div className="text-zinc-900">{formatRelative(e.at)}</div>
              <div className="text-xs text-zinc-500">{formatDateTime(e.at)}</div>
            </Td>
            <Td>
              <div className="max-w-48 truncate text-zinc-900" title={e.actorLabel}>{e.actorLabel}</div>
              <div className="text-xs text-zinc-500">
                {e.actorType}
                {e.ip ? ` · ${e.ip}` : ''}
              </div>
            </Td>
            <Td>
              <Badge tone={actionTone(e.action)} className="font-mono">
                {e.action}
              </Badge>
            </Td>
            <Td>
              <Target e={e} />
            </Td>
            <Td className="w-72 max-w-72 whitespace-normal text-xs text-zinc-600">
              {describeDetails(e.details).map((line) => (
                <div key={line} className="wrap-anywhere">
                  {line}
                </div>
              ))}
            </Td>
          </tr>
        ))}
      </TBody>
    </Table>
  );
}
