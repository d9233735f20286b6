/**
 * What the server does on SIGINT/SIGTERM: stop the scheduler, let webhook notifications already
 * under way be delivered, close the HTTP server and the metadata store, exit 0. A webhook that
 * does not answer is retried for up to about half a minute, so when notifications are pending the
 * user is told why the stop waits, and a second signal (Ctrl-C again) exits at once, saying what
 * was not sent.
 */
export interface ShutdownSteps {
  /** Runs whose webhook notifications are still being delivered. */
  pendingNotifications(): number;
  /** Scheduler and history retention off, pending notifications delivered. */
  stopEngine(): Promise<void>;
  closeServer(): Promise<void>;
  closeStore(): Promise<void>;
  log(level: 'info' | 'warn', message: string): void;
  exit(code: number): void;
}

/** Returns the signal handler; install it for SIGINT and SIGTERM. */
export function createShutdown(steps: ShutdownSteps): (signal: string) => void {
  let stopping = false;
  return (signal) => {
    if (stopping) {
      const pending = steps.pendingNotifications();
      steps.log('warn', pending > 0
        ? `${signal} received again: stopping now. The webhook notifications of ${runs(pending)} were not sent; the outcome of every run is in the Runs page.`
        : `${signal} received again: stopping now.`);
      steps.exit(1);
      return;
    }
    stopping = true;
    steps.log('info', `${signal} received, shutting down.`);
    const pending = steps.pendingNotifications();
    if (pending > 0) {
      steps.log('info', `Waiting for the webhook notifications of ${runs(pending)} to be delivered (an unanswered webhook is retried for up to about half a minute). Press Ctrl-C again to stop without them.`);
    }
    void steps
      .stopEngine()
      .then(() => steps.closeServer())
      .then(() => steps.closeStore())
      .then(
        () => steps.exit(0),
        (error: unknown) => {
          steps.log('warn', `Shutdown did not finish cleanly: ${(error as Error)?.message ?? String(error)}`);
          steps.exit(1);
        },
      );
  };
}

function runs(count: number): string {
  return count === 1 ? '1 run' : `${count} runs`;
}
