import { useEffect, useState } from 'react';

/**
 * The time, for sentences that depend on it ("2 days left"), read outside
 * render and refreshed every `everyMs` so a screen left open stays true.
 */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
