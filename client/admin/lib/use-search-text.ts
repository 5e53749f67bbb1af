import { useEffect, useRef, useState } from 'react';

/**
 * A search box whose text lives in the URL: typing updates `text` at once and
 * calls `commit` (which writes the URL) after a short pause, so every keystroke
 * does not cost a query or a history entry.
 */
export function useSearchText(inUrl: string | undefined, commit: (q: string | undefined) => void, delayMs = 300): [string, (text: string) => void] {
  const [text, setText] = useState(inUrl ?? '');
  const latest = useRef(commit);
  useEffect(() => {
    latest.current = commit;
  });
  useEffect(() => {
    const next = text.trim() || undefined;
    if (next === inUrl) return;
    const timer = setTimeout(() => latest.current(next), delayMs);
    return () => clearTimeout(timer);
  }, [text, inUrl, delayMs]);
  return [text, setText];
}
