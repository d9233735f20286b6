/**
 * Shared set-up for the application-service tests: the real SQLite metadata store (in memory), a
 * controllable clock, and a database source fake that records how it was opened.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMetadataStore } from '../../adapters/store/open-metadata-store.ts';
import type { MetadataStore, SourceRecord } from '../../ports/metadata-store.port.ts';
import type { DatabaseSource } from '../../ports/source.port.ts';

export interface ServiceTestContext {
  dir: string;
  store: MetadataStore;
  clock: { now(): Date; set(at: Date | string): void; advance(ms: number): void };
  close(): Promise<void>;
}

export async function openServiceTestContext(start = '2024-01-16T12:00:00Z'): Promise<ServiceTestContext> {
  const dir = await mkdtemp(join(tmpdir(), 'dbk-services-'));
  let now = new Date(start);
  const clock = {
    now: () => new Date(now),
    set: (at: Date | string) => { now = new Date(at); },
    advance: (ms: number) => { now = new Date(now.getTime() + ms); },
  };
  const { store } = await openMetadataStore({ dataDir: dir, filename: ':memory:', encryptionKey: randomBytes(32).toString('hex'), now: clock.now });
  return {
    dir,
    store,
    clock,
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A source that answers like a server and remembers every record it was opened with. */
export function recordingSources(info = { engine: 'postgres' as const, serverVersion: '16.4' }) {
  const opened: SourceRecord[] = [];
  const open = (record: SourceRecord): DatabaseSource => {
    opened.push(record);
    return {
      engine: record.type,
      displayName: record.name,
      testConnection: async () => info,
      listDatabases: async () => ['app', 'shop'],
      dump: () => Promise.reject(new Error('not used')),
      restore: () => Promise.reject(new Error('not used')),
    };
  };
  return { open, opened };
}
