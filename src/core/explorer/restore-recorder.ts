import type { RestoreLogLevel, RestorePatch, RestoreStage, RestoresRepository } from '../../ports/metadata-store.port.ts';

/** Writes one live restore through to the restore history, in order and without slowing it down. */
export interface RestoreRecorder {
  log(level: RestoreLogLevel, message: string): void;
  /** A new stage is written at once; byte counts of the same stage at most once per interval. */
  progress(stage: RestoreStage, bytes: number): void;
  /** Writes the outcome (with the last byte count) after everything written before; resolves when stored. */
  finish(patch: RestorePatch): Promise<void>;
  /** Resolves when everything recorded so far is stored. */
  flush(): Promise<void>;
}

export interface RestoreRecorderOptions {
  restores: Pick<RestoresRepository, 'update' | 'appendLog'>;
  id: string;
  /** Default 1000 ms, like the progress of runs. */
  intervalMs?: number;
  /** A write that failed: the restore carries on (its outcome still reaches the caller). */
  onError: (error: unknown) => void;
}

export function createRestoreRecorder(options: RestoreRecorderOptions): RestoreRecorder {
  const { restores, id } = options;
  const intervalMs = options.intervalMs ?? 1000;
  // One chain, so a progress write never lands after the outcome and log lines keep their order.
  let chain: Promise<void> = Promise.resolve();
  let stage: RestoreStage | undefined;
  let bytes: number | undefined;
  let savedAt = 0;

  const write = (work: () => Promise<unknown>): Promise<void> => {
    chain = chain.then(work).then(() => undefined, options.onError);
    return chain;
  };

  return {
    log(level, message) {
      void write(() => restores.appendLog(id, level, message));
    },
    progress(next, nextBytes) {
      bytes = nextBytes;
      const now = Date.now();
      if (next === stage && now - savedAt < intervalMs) return;
      stage = next;
      savedAt = now;
      void write(() => restores.update(id, { stage: next, bytes: nextBytes }));
    },
    finish(patch) {
      return write(() => restores.update(id, { ...(bytes === undefined ? {} : { bytes }), ...patch }));
    },
    flush: () => chain,
  };
}
