import { openMetadataStore } from '../../adapters/store/open-metadata-store.ts';
import { loadSettings } from '../../core/config/settings.ts';
import { DBackupError } from '../../core/errors.ts';
import { createEngine, type Engine } from '../../engine.ts';
import { systemClock } from '../../ports/clock.port.ts';
import type { DestinationRecord, MetadataStore, SourceRecord } from '../../ports/metadata-store.port.ts';
import type { CliContext } from './command.ts';

export interface CliRuntime {
  store: MetadataStore;
  engine: Engine;
}

/**
 * Opens the same data directory the server uses (DBACKUP_DATA_DIR, ENCRYPTION_KEY, …) for one
 * command and closes it afterwards. The CLI never runs startup recovery or the scheduler: a server
 * may be running beside it on the same store.
 */
export async function withRuntime<T>(context: CliContext, work: (runtime: CliRuntime) => Promise<T>): Promise<T> {
  const settings = loadSettings(context.env, { cwd: context.cwd });
  const opened = await openMetadataStore({ dataDir: settings.dataDir, encryptionKey: settings.encryptionKey });
  if (opened.generatedKey && opened.keyFile) {
    context.stderr.write(`Note: no data existed in ${settings.dataDir}; a new encryption key was generated at ${opened.keyFile}. Set DBACKUP_DATA_DIR to use another data directory.\n`);
  }
  const engine = createEngine({
    store: opened.store, dataDir: settings.dataDir, clock: systemClock, appVersion: appVersion(),
    dropboxApiUrl: settings.dropboxApiUrl, publicUrl: settings.publicUrl,
    log: (level, message) => { if (level === 'warn') context.stderr.write(`${message}\n`); },
  });
  try {
    return await work({ store: opened.store, engine });
  } finally {
    await engine.stop();
    await opened.store.close();
  }
}

export function appVersion(): string {
  return process.env.npm_package_version ?? '0.1.0';
}

/** Finds a record by id or by name (case-insensitive); throws `not_found` listing the choices. */
export function pick<T extends { id: string; name: string }>(records: T[], wanted: string, what: string): T {
  const found = records.find((r) => r.id === wanted) ?? records.find((r) => r.name.toLowerCase() === wanted.toLowerCase());
  if (found) return found;
  const choices = records.map((r) => `"${r.name}"`).join(', ') || 'none yet';
  throw new DBackupError('not_found', `No ${what} named or with id "${wanted}". Known: ${choices}.`);
}

export type { DestinationRecord, SourceRecord };
