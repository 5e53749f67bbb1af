/** Turns an audit event's details into short readable lines. Pure; see audit.test.ts. */
export function describeDetails(details: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object' && !Array.isArray(value) && 'from' in value && 'to' in value) {
      const change = value as { from: unknown; to: unknown };
      lines.push(`${key}: ${show(change.from)} → ${show(change.to)}`);
    } else {
      lines.push(`${key}: ${show(value)}`);
    }
  }
  return lines;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The tone of an action's badge: removals red, changes amber, the rest neutral. */
export function actionTone(action: string): 'red' | 'amber' | 'green' | 'neutral' {
  if (/\.(deleted|revoked|suspended|expired)$/.test(action)) return 'red';
  if (/\.(updated|tier_changed|rotated|reset|password_changed|password_reset)$/.test(action)) return 'amber';
  if (/\.(created|reactivated)$/.test(action)) return 'green';
  return 'neutral';
}
