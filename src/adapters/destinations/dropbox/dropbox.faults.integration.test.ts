import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../../../emulator/src/control-client.ts';
import { createStorage } from '../../../core/storage.ts';
import type { Destination } from '../../../ports/destination.port.ts';
import { digestStream, generatedData, generatedDataDigest } from '../../../test-support/generated-data.ts';
import { rejection } from '../destination.conformance-support.ts';
import { APPS, MIB, retryRecorder, startTestEmulator, type TestEmulator } from './dropbox-emulator.test-support.ts';

// Every fault the emulator can inject, during each step of a multi-chunk upload and during a
// download. Each case must end in a byte-identical file (content hash checked) — and the log
// must show the fault was actually met and retried, so a fault that never fired cannot pass.

type Fault = Omit<FaultSpec, 'route'>;

const FAULTS: [string, Fault][] = [
  ['rate limit (too_many_requests)', { kind: 'rate_limit', reason: 'too_many_requests', retryAfter: 2 }],
  ['write contention (too_many_write_operations)', { kind: 'rate_limit', reason: 'too_many_write_operations', retryAfter: 3 }],
  ['HTTP 503', { kind: 'server_error', status: 503 }],
  ['HTTP 500 twice', { kind: 'server_error', status: 500, times: 2 }],
  ['connection reset while sending', { kind: 'reset_request', afterBytes: MIB }],
  ['connection reset before the answer', { kind: 'reset_response' }],
  ['expired access token', { kind: 'expired_access_token' }],
  ['lost response (processed, answer never arrives)', { kind: 'lost_response' }],
];

// start carries 4 MiB, two appends 4 MiB each, finish the last 1 MiB + a bit.
const SIZE = 13 * MIB + 321;
const SEED = 7;
const slug = (text: string): string => text.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();

let emulator: TestEmulator;
let storage: Destination;
const recorder = retryRecorder();
let expected: Awaited<ReturnType<typeof generatedDataDigest>>;

beforeAll(async () => {
  emulator = await startTestEmulator();
  const { destination } = await emulator.destination(APPS.fullDropbox, '/Faults', { sleep: recorder.sleep, logger: recorder.logger });
  storage = createStorage(destination);
  expected = await generatedDataDigest(SIZE, SEED);
});
afterEach(async () => {
  await emulator.control.clearFaults();
  recorder.clear();
});
afterAll(async () => {
  await emulator?.close();
});

/** The fault was met: a retry (or token refresh) was logged for `route`, with the right wait. */
function expectHandled(route: string, fault: Fault): void {
  const forRoute = recorder.logs.filter((line) => line.fields?.operation === route);
  expect(forRoute.length, `no retry was logged for ${route}: ${JSON.stringify(recorder.logs)}`).toBeGreaterThanOrEqual(fault.times ?? 1);
  if (fault.kind === 'rate_limit') {
    expect(recorder.waits).toContain((fault.retryAfter ?? 1) * 1000);
    expect(forRoute[0]?.fields).toMatchObject({ code: 'rate_limited', reason: fault.reason });
  }
  if (fault.kind === 'expired_access_token') expect(forRoute[0]?.message).toContain('access token expired');
  // A lost answer must be reconciled, not blindly resent: appends continue at correct_offset, a
  // commit is recognised by the stored file's content hash.
  if (fault.kind === 'lost_response' && route === 'files/upload_session/append_v2') {
    expect(forRoute.map((line) => line.fields?.reconciled)).toContain('correct_offset');
  }
  if (fault.kind === 'lost_response' && route === 'files/upload_session/finish') {
    expect(forRoute.map((line) => line.fields?.reconciled)).toContain('committed');
  }
}

describe.each(['files/upload_session/start', 'files/upload_session/append_v2', 'files/upload_session/finish'])('a fault during %s', (route) => {
  it.each(FAULTS)('%s: the upload completes byte-identical', async (label, fault) => {
    // Skip the first append so the fault hits one in the middle of the file.
    await emulator.control.injectFault({ route, ...fault, ...(route === 'files/upload_session/append_v2' ? { skip: 1 } : {}) });
    const key = `upload/${slug(route)}/${slug(label)}.bin`;
    const stored = await storage.write(key, generatedData(SIZE, { seed: SEED }), { size: SIZE });
    expect(stored).toMatchObject({ size: SIZE, contentHash: expected.contentHash });
    expectHandled(route, fault);
    expect(await digestStream(await storage.read(key))).toEqual(expected);
  });
});

describe('a fault during files/upload (small files)', () => {
  const small = 200_000;
  it.each(FAULTS)('%s: the upload completes byte-identical', async (label, fault) => {
    await emulator.control.injectFault({ route: 'files/upload', ...fault });
    const key = `simple/${slug(label)}.bin`;
    const stored = await storage.write(key, generatedData(small, { seed: 3 }));
    expect(stored.contentHash).toBe((await generatedDataDigest(small, 3)).contentHash);
    expectHandled('files/upload', fault);
    expect(await digestStream(await storage.read(key))).toEqual(await generatedDataDigest(small, 3));
  });
});

describe('a fault during files/download', () => {
  const key = 'download/file.bin';
  beforeAll(async () => {
    await storage.write(key, generatedData(SIZE, { seed: SEED }), { size: SIZE });
  });

  const downloadFaults: [string, Fault][] = [
    ...FAULTS.filter(([, fault]) => fault.kind !== 'reset_request'),
    ['connection reset mid-body (resumed with Range)', { kind: 'reset_response', afterBytes: 5 * MIB }],
    ['connection reset mid-body three times', { kind: 'reset_response', afterBytes: 3 * MIB, times: 3 }],
  ];

  it.each(downloadFaults)('%s: the read is byte-identical', async (_label, fault) => {
    await emulator.control.injectFault({ route: 'files/download', ...fault });
    expect(await digestStream(await storage.read(key))).toEqual(expected);
    expectHandled('files/download', fault);
  });

  it('resumes a broken read from an offset too (size verified)', async () => {
    await emulator.control.injectFault({ route: 'files/download', kind: 'reset_response', afterBytes: 2 * MIB });
    const offset = 5 * MIB + 7;
    const tail = await digestStream(await storage.read(key, { offset }));
    expect(tail.bytes).toBe(SIZE - offset);
    expectHandled('files/download', { kind: 'reset_response' });
  });
});

describe('faults on the other routes', () => {
  it('stat, list (paged) and delete ride out 5xx, 429 and lost answers', async () => {
    for (let i = 0; i < 16; i += 1) await storage.write(`rpc/file-${i}.txt`, generatedData(10, { seed: i }));
    await emulator.control.injectFault({ route: 'files/get_metadata', kind: 'server_error', status: 502 });
    expect((await storage.stat('rpc/file-0.txt'))?.size).toBe(10);
    await emulator.control.injectFault({ route: 'files/list_folder/continue', kind: 'rate_limit', retryAfter: 1 });
    const keys: string[] = [];
    for await (const file of storage.list('rpc')) keys.push(file.key);
    expect(keys).toHaveLength(16);
    await emulator.control.injectFault({ route: 'files/delete_v2', kind: 'lost_response' });
    await storage.delete('rpc/file-0.txt');
    expect(await storage.stat('rpc/file-0.txt')).toBeUndefined();
    expect(recorder.logs.map((line) => line.fields?.operation)).toEqual(
      expect.arrayContaining(['files/get_metadata', 'files/list_folder/continue', 'files/delete_v2']),
    );
  });

  it('survives an outage of the token endpoint', async () => {
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Faults', { sleep: recorder.sleep, logger: recorder.logger });
    await emulator.control.injectFault({ route: 'oauth2/token', kind: 'server_error', status: 503, times: 2 });
    expect((await destination.capabilities.usage?.())?.used).toBeGreaterThan(0);
    expect(recorder.logs.filter((line) => line.fields?.code === 'transient')).toHaveLength(2);
  });

  it('gives up after the bounded attempts with a clear error and leaves no file', async () => {
    await emulator.control.injectFault({ route: 'files/upload_session/append_v2', kind: 'server_error', status: 503, times: 50 });
    const error = await rejection(storage.write('give-up/file.bin', generatedData(SIZE, { seed: 1 }), { size: SIZE }));
    expect(error.code).toBe('transient');
    expect(error.message).toMatch(/HTTP 503.*Gave up after 5 attempts\. Try again later\./);
    expect(await storage.stat('give-up/file.bin')).toBeUndefined();
  });
});
