import { describe, expect, it } from 'vitest';
import { createShutdown, type ShutdownSteps } from './server-shutdown.ts';

/** Steps that record what happened; the engine stop resolves when the test says so. */
function recordingSteps(pending: number, engine: Promise<void> = Promise.resolve()) {
  const events: string[] = [];
  let pendingNow = pending;
  let exitWith!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exitWith = resolve));
  const steps: ShutdownSteps = {
    pendingNotifications: () => pendingNow,
    stopEngine: async () => {
      events.push('stop engine');
      await engine;
      pendingNow = 0;
    },
    closeServer: async () => void events.push('close server'),
    closeStore: async () => void events.push('close store'),
    log: (level, message) => events.push(`${level}: ${message}`),
    exit: (code) => {
      events.push(`exit ${code}`);
      exitWith(code);
    },
  };
  return { steps, events, exited };
}

describe('server shutdown', () => {
  it('stops the engine, then the server, then the store, and exits 0', async () => {
    const { steps, events, exited } = recordingSteps(0);
    createShutdown(steps)('SIGTERM');
    expect(await exited).toBe(0);
    expect(events).toEqual(['info: SIGTERM received, shutting down.', 'stop engine', 'close server', 'close store', 'exit 0']);
  });

  it('says why it waits when webhook notifications are still being delivered', async () => {
    const { steps, events, exited } = recordingSteps(2);
    createShutdown(steps)('SIGINT');
    expect(await exited).toBe(0);
    expect(events[1]).toBe('info: Waiting for the webhook notifications of 2 runs to be delivered (an unanswered webhook is retried for up to about half a minute). Press Ctrl-C again to stop without them.');
  });

  it('a second signal while waiting exits 1 at once and says which notifications were not sent', async () => {
    let finishDeliveries!: () => void;
    const { steps, events, exited } = recordingSteps(1, new Promise<void>((resolve) => (finishDeliveries = resolve)));
    const stop = createShutdown(steps);
    stop('SIGINT');
    stop('SIGINT');
    expect(await exited).toBe(1);
    expect(events).toContain('warn: SIGINT received again: stopping now. The webhook notifications of 1 run were not sent; the outcome of every run is in the Runs page.');
    expect(events).not.toContain('close store');
    finishDeliveries();
  });

  it('a failing step is reported and the process still exits, with status 1', async () => {
    const { steps, events, exited } = recordingSteps(0);
    steps.closeServer = async () => {
      throw new Error('server.close timed out');
    };
    createShutdown(steps)('SIGTERM');
    expect(await exited).toBe(1);
    expect(events).toContain('warn: Shutdown did not finish cleanly: server.close timed out');
    expect(events).not.toContain('close store');
  });
});
