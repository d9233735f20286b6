/**
 * What the shared store suite needs from a database: a fresh, migrated store per test, the raw
 * Kysely handle to inspect stored rows, a fake clock and the SecretBox in use.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { DBackupError } from '../../../core/errors.ts';
import type { MetadataStore } from '../../../ports/metadata-store.port.ts';
import type { SecretBox } from '../../../ports/secret-box.port.ts';
import { createAesGcmSecretBox } from '../../secrets/aes-gcm.secret-box.ts';
import type { StoreSchema } from '../schema.ts';

export interface FakeClock {
  now(): Date;
  advance(ms: number): void;
}

export function createFakeClock(start = '2024-01-15T12:00:00.000Z'): FakeClock {
  let current = new Date(start).getTime();
  return { now: () => new Date(current), advance: (ms) => (current += ms) };
}

export interface StoreHarness {
  store: MetadataStore;
  raw: Kysely<StoreSchema>;
  clock: FakeClock;
  box: SecretBox;
}

export interface StoreHarnessFactory {
  /** Which database the suite runs on (test names). */
  name: string;
  /** A store on an empty, migrated database, using `box` and `clock`. */
  create(box: SecretBox, clock: FakeClock): Promise<{ store: MetadataStore; raw: Kysely<StoreSchema> }>;
  /** Called after each test with what `create` returned. */
  dispose(store: MetadataStore): Promise<void>;
}

export async function makeHarness(factory: StoreHarnessFactory): Promise<StoreHarness> {
  const clock = createFakeClock();
  const box = createAesGcmSecretBox(randomBytes(32));
  const { store, raw } = await factory.create(box, clock);
  return { store, raw, clock, box };
}

/** The DBackupError a promise rejects with (fails the test if it resolves or throws something else). */
export async function rejection(promise: Promise<unknown>): Promise<DBackupError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DBackupError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject with a DBackupError');
}
