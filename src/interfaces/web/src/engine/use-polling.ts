import { useEffect, useRef } from 'react';

/**
 * Calls `load` now and then every `intervalMs` (none while `intervalMs` is 0), never overlapping:
 * the next call is scheduled after the previous one settled. Stops when the component unmounts or
 * `deps` change; `signal` then fires, so a response that arrives afterwards can be ignored.
 */
export function usePolling(load: (signal: AbortSignal) => Promise<void>, intervalMs: number, deps: readonly unknown[]): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        await latest.current(controller.signal);
      } finally {
        if (!controller.signal.aborted && intervalMs > 0) timer = setTimeout(() => void tick(), intervalMs);
      }
    };
    void tick();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
    // The caller lists what restarts polling in `deps`.
  }, [intervalMs, ...deps]);
}
