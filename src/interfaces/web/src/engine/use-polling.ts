import { useEffect, useRef } from 'react';

/**
 * Calls `load` now and then every `intervalMs` (none while `intervalMs` is 0), never overlapping:
 * the next call is scheduled after the previous one settled. Stops when the component unmounts.
 */
export function usePolling(load: () => Promise<void>, intervalMs: number, deps: readonly unknown[]): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        await latest.current();
      } finally {
        if (!stopped && intervalMs > 0) timer = setTimeout(() => void tick(), intervalMs);
      }
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
    // The caller lists what restarts polling in `deps`.
  }, [intervalMs, ...deps]);
}
