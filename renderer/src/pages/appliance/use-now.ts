import { useEffect, useState } from 'react';

/**
 * The current time, refreshed every `intervalMs`, for relative times ("since 3 minutes ago") that
 * must not freeze while the page stays open. One timer per caller: call it once per table or page.
 */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
