import type { EmulatorConfig, RunningEmulator } from './index.ts';

/** Starts the emulator. Rejects when the config is invalid or the port cannot be bound. */
export async function startEmulator(options: { port?: number; host?: string; config: EmulatorConfig }): Promise<RunningEmulator> {
  void options;
  throw new Error('emulator server not implemented yet');
}
