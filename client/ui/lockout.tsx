import { useEffect, useState } from 'react';
import { Alert } from './components/feedback.tsx';
import { formatDuration } from './lib/format.ts';

/** When a sign-in lockout ends, from the server's details (lockedUntil, else retryAfterSeconds from now). */
export function lockoutEnd(details: Record<string, unknown>, now: number = Date.now()): number {
  const until = typeof details['lockedUntil'] === 'string' ? Date.parse(details['lockedUntil']) : NaN;
  const retry = typeof details['retryAfterSeconds'] === 'number' ? details['retryAfterSeconds'] : 900;
  return Number.isNaN(until) ? now + retry * 1000 : until;
}

/** Seconds left until `until`, ticking every second while there are any. */
export function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

/** Says that sign-in is locked and for how long, counting down. */
export function LockoutAlert({ until, secondsLeft }: { until: number; secondsLeft: number }) {
  return (
    <Alert title="Too many failed sign-ins">
      Sign-in is locked for this account. Try again in <span className="font-semibold tabular-nums">{formatDuration(secondsLeft)}</span> (at{' '}
      {new Date(until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}).
    </Alert>
  );
}
