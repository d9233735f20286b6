/**
 * `npm start`: loads the settings, opens the metadata store (migrations, encryption key), and
 * serves the API and web UI on PORT. Configuration problems end the process with a message that
 * says exactly what to fix, never with a stack trace.
 */
import { fileURLToPath } from 'node:url';
import { createLocalProcessOwnership } from './adapters/process/local-process-ownership.ts';
import { acquireServerLock } from './adapters/process/server-lock.ts';
import { generatedKeyWarning, openMetadataStore } from './adapters/store/open-metadata-store.ts';
import { createApp, VERSION } from './app.ts';
import { loadSettings } from './core/config/settings.ts';
import { isDBackupError } from './core/errors.ts';
import { createShutdown } from './server-shutdown.ts';

const STATIC_DIR = fileURLToPath(new URL('../dist/web', import.meta.url));

async function main(): Promise<void> {
  const settings = loadSettings();
  // One server per data directory; released when the process exits, however it exits.
  const lock = acquireServerLock(settings.dataDir, createLocalProcessOwnership());
  process.on('exit', () => lock.release());
  const opened = await openMetadataStore({ dataDir: settings.dataDir, encryptionKey: settings.encryptionKey });
  if (opened.generatedKey && opened.keyFile) console.warn(generatedKeyWarning(opened.keyFile));
  for (const warning of opened.warnings) console.warn(`Warning: ${warning}`);
  if (opened.migrationsApplied.length > 0) console.log(`Metadata store updated: ${opened.migrationsApplied.join(', ')}`);

  const app = createApp({ settings, store: opened.store, staticDir: STATIC_DIR });
  // Before serving: runs a killed process left behind become "interrupted" (and their half-made
  // files are removed) before the API can queue new ones; then the scheduler starts ticking.
  const recovered = await app.engine.start();
  if (recovered.interrupted.length > 0) console.warn(`${recovered.interrupted.length} run(s) were interrupted by the last shutdown; see the Runs page.`);
  if (recovered.missed.length > 0) console.warn(`${recovered.missed.length} job(s) missed scheduled runs while DBackup was down; see the Runs page.`);
  const port = await app.listen(settings.port);
  console.log(`DBackup ${VERSION} is listening on port ${port}. Open ${settings.publicUrl} in your browser.`);
  console.log(`Data directory: ${settings.dataDir}`);
  if (settings.dropboxApiUrl) console.log(`Dropbox API calls go to ${settings.dropboxApiUrl} (DBACKUP_DROPBOX_API_URL).`);

  const stop = createShutdown({
    pendingNotifications: () => app.engine.notifications.pending,
    stopEngine: () => app.engine.stop(),
    closeServer: () => app.close(),
    closeStore: () => opened.store.close(),
    log: (level, message) => (level === 'warn' ? console.warn(message) : console.log(message)),
    exit: (code) => process.exit(code),
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (isDBackupError(error)) {
    console.error(error.message);
  } else if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
    console.error(`The port is already in use. Stop the other program or set PORT to a free port.`);
  } else {
    console.error('DBackup failed to start:', error);
  }
  process.exit(1);
});
