/**
 * Tests' metadata store: the real SQLite store, in memory, beside a fresh temporary folder (data
 * dir for anything the code under test writes). `dispose` closes the store and removes the folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMetadataStore } from '../adapters/store/open-metadata-store.ts';
import type { MetadataStore } from '../ports/metadata-store.port.ts';

export interface TempStore {
  dir: string;
  store: MetadataStore;
  dispose(): Promise<void>;
}

export async function openTempStore(prefix: string, options: { now?: () => Date } = {}): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const { store } = await openMetadataStore({ dataDir: dir, filename: ':memory:', encryptionKey: randomBytes(32).toString('hex'), ...options });
  return {
    dir,
    store,
    async dispose() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
