/**
 * Shared set-up for the application-service tests: the real SQLite metadata store (in memory), a
 * controllable clock, and a database source fake that records how it was opened.
 */
import { openTempStore } from '../../test-support/temp-store.ts';
import type { MetadataStore, SourceRecord } from '../../ports/metadata-store.port.ts';
import type { DatabaseSource } from '../../ports/source.port.ts';

export interface ServiceTestContext {
  dir: string;
  store: MetadataStore;
  clock: { now(): Date; set(at: Date | string): void; advance(ms: number): void };
  close(): Promise<void>;
}

export async function openServiceTestContext(start = '2024-01-16T12:00:00Z'): Promise<ServiceTestContext> {
  let now = new Date(start);
  const clock = {
    now: () => new Date(now),
    set: (at: Date | string) => { now = new Date(at); },
    advance: (ms: number) => { now = new Date(now.getTime() + ms); },
  };
  const { dir, store, dispose } = await openTempStore('dbk-services-', { now: clock.now });
  return { dir, store, clock, close: dispose };
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
