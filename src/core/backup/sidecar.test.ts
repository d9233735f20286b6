import { describe, expect, it } from 'vitest';
import { parseSidecar, serializeSidecar, type BackupSidecar } from './sidecar.ts';

const sidecar: BackupSidecar = {
  formatVersion: 1,
  appVersion: '0.1.0',
  job: { id: 'j1', name: 'Nightly' },
  source: { type: 'postgres', engine: 'postgres', engineVersion: '15.4', dumpTool: 'pg_dump', dumpToolVersion: '15.4' },
  database: 'shop',
  startedAt: '2024-01-16T12:00:00.000Z',
  endedAt: '2024-01-16T12:00:05.000Z',
  durationMs: 5000,
  originalSize: 1000,
  storedSize: 400,
  sha256: 'a'.repeat(64),
  contentHash: 'b'.repeat(64),
  compression: 'gzip',
  encryption: { profileId: 'p1', keyFingerprint: 'f'.repeat(32), algorithm: 'AES-256-GCM', chunkSize: 65536 },
};

describe('backup sidecar', () => {
  it('round-trips through its JSON form', () => {
    expect(parseSidecar(serializeSidecar(sidecar), 'k')).toEqual(sidecar);
  });

  it('names the damaged file and field', () => {
    expect(() => parseSidecar('{oops', 'job/b.sql.meta.json')).toThrow(/job\/b\.sql\.meta\.json is not valid JSON/);
    const { sha256: _dropped, ...withoutHash } = sidecar;
    expect(() => parseSidecar(JSON.stringify(withoutHash), 'k')).toThrow(/sha256 is missing/);
  });

  it('refuses a newer format with an upgrade hint', () => {
    expect(() => parseSidecar(JSON.stringify({ ...sidecar, formatVersion: 9 }), 'k')).toThrow(/Upgrade DBackup/);
  });
});
