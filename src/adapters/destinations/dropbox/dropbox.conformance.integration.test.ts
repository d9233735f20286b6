import { describeDestinationConformance } from '../destination.conformance.ts';
import { APPS, MIB, startTestEmulator } from './dropbox-emulator.test-support.ts';

// The shared destination suite against the Dropbox destination, talking to the emulator through
// the official SDK. 4 MiB chunks with a 1 MiB simple-upload threshold send the 20 MiB round trip
// through upload_session start/append/finish; a page size of 7 makes listings paginate.
const suiteOptions = { largeFileBytes: 20 * MIB, pageSizeHint: 7, caseInsensitive: true };

describeDestinationConformance(
  'Dropbox (app folder app, root of the app folder)',
  async () => {
    const emulator = await startTestEmulator();
    const { destination } = await emulator.destination(APPS.appFolder, '');
    return { destination, cleanup: () => emulator.close() };
  },
  suiteOptions,
);

describeDestinationConformance(
  'Dropbox (full Dropbox app, /Backups/DBackup)',
  async () => {
    const emulator = await startTestEmulator();
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Backups/DBackup');
    return { destination, cleanup: () => emulator.close() };
  },
  { ...suiteOptions, browsePathOf: (folder) => `/Backups/DBackup/${folder}` },
);
