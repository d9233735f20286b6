import { randomBytes } from 'node:crypto';
import { openMetadataStore } from '../../../src/adapters/store/open-metadata-store.ts';
import type { MetadataStore } from '../../../src/ports/metadata-store.port.ts';

/** The real SQLite metadata store in `dataDir`, migrated, with a random ENCRYPTION_KEY. */
export async function openTestStore(dataDir: string, now?: () => Date): Promise<MetadataStore> {
  const opened = await openMetadataStore({ dataDir, encryptionKey: randomBytes(32).toString('hex'), ...(now ? { now } : {}) });
  return opened.store;
}
