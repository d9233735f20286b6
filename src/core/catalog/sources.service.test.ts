import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateTestCertificates, type TestCertificates } from '../../adapters/sources/tls/test-certificates.fixture.ts';
import { DBackupError } from '../errors.ts';
import { openServiceTestContext, recordingSources, type ServiceTestContext } from './services.test-support.ts';
import { createSourcesService, type SourcesService } from './sources.service.ts';

let ctx: ServiceTestContext;
let sources: SourcesService;
let opened: ReturnType<typeof recordingSources>;

beforeEach(async () => {
  ctx = await openServiceTestContext();
  opened = recordingSources();
  sources = createSourcesService({ store: ctx.store, openSource: opened.open });
});
afterEach(() => ctx.close());

const fieldsOf = async (promise: Promise<unknown>): Promise<Record<string, string>> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DBackupError);
  expect((error as DBackupError).code).toBe('invalid_input');
  return (error as DBackupError).details.fields as Record<string, string>;
};

describe('sources service', () => {
  it('reports every invalid field at once', async () => {
    expect(await fieldsOf(sources.create({ type: 'postgres', name: ' ', host: 'http://db/x', port: '70000', username: '' }))).toEqual({
      name: 'Name is required.',
      host: expect.stringContaining('without spaces, scheme or path'),
      port: expect.stringContaining('1 to 65535 (default 5432)'),
      username: 'User name is required.',
    });
    expect(await fieldsOf(sources.create({ type: 'sqlite', name: 'app', sqlitePath: 'data/app.sqlite' }))).toEqual({ sqlitePath: expect.stringContaining('absolute path') });
    expect(await fieldsOf(sources.create({ type: 'oracle', name: 'x' }))).toEqual({ type: expect.any(String) });
    expect(await ctx.store.sources.list()).toEqual([]);
  });

  it('never returns the password, only whether one is set; blank keeps it, clearPassword removes it', async () => {
    const created = await sources.create({ type: 'mysql', name: 'Shop', host: 'db.internal', port: '3307', username: 'backup', password: 's3cret-pw' });
    expect(created).toMatchObject({ type: 'mysql', name: 'Shop', host: 'db.internal', port: 3307, username: 'backup', passwordSet: true });
    expect(JSON.stringify(await sources.list())).not.toContain('s3cret-pw');

    await sources.update(created.id, { type: 'mysql', name: 'Shop DB', host: 'db.internal', username: 'backup', password: '' });
    expect((await ctx.store.sources.get(created.id))?.password?.reveal()).toBe('s3cret-pw');
    expect((await sources.get(created.id)).port).toBeUndefined();

    await sources.update(created.id, { type: 'mysql', name: 'Shop DB', host: 'db.internal', username: 'backup', password: 'next-pw' });
    expect((await ctx.store.sources.get(created.id))?.password?.reveal()).toBe('next-pw');

    const cleared = await sources.update(created.id, { type: 'mysql', name: 'Shop DB', host: 'db.internal', username: 'backup', clearPassword: true });
    expect(cleared.passwordSet).toBe(false);
  });

  it('refuses to change the type', async () => {
    const created = await sources.create({ type: 'sqlite', name: 'app', sqlitePath: '/srv/app.sqlite' });
    expect(await fieldsOf(sources.update(created.id, { type: 'postgres', name: 'app', host: 'h', username: 'u' }))).toEqual({ type: 'Cannot change.' });
  });

  it('tests a saved source and unsaved settings with the stored password', async () => {
    const created = await sources.create({ type: 'postgres', name: 'Main', host: '127.0.0.1', username: 'postgres', password: 'pw1' });
    await expect(sources.testConnection(created.id)).resolves.toEqual({ engine: 'postgres', serverVersion: '16.4' });
    await sources.testInput({ type: 'postgres', name: 'Main', host: 'other-host', username: 'postgres', password: '' }, created.id);
    const tested = opened.opened.at(-1)!;
    expect(tested.host).toBe('other-host');
    expect(tested.password?.reveal()).toBe('pw1');
    await expect(sources.listDatabases(created.id)).resolves.toEqual(['app', 'shop']);
    await expect(sources.testConnection('missing')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses to delete a source a job uses, naming the job, and deletes it once unused', async () => {
    const source = await sources.create({ type: 'sqlite', name: 'app', sqlitePath: '/srv/app.sqlite' });
    const destination = await ctx.store.destinations.create({ type: 'local', name: 'disk', config: { basePath: ctx.dir } });
    const job = await ctx.store.jobs.create({ name: 'Nightly app', folderName: 'nightly-app', sourceId: source.id, destinationIds: [destination.id] });
    expect((await sources.get(source.id)).usedBy).toEqual([{ id: job.id, name: 'Nightly app' }]);
    await expect(sources.remove(source.id)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('"Nightly app"') });
    await ctx.store.jobs.delete(job.id);
    await sources.remove(source.id);
    await expect(sources.get(source.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  describe('TLS settings', () => {
    let certs: TestCertificates;
    beforeAll(async () => {
      certs = await generateTestCertificates();
    });
    const server = { type: 'postgres', name: 'Managed', host: 'db.example.com', username: 'backup' };

    it('defaults to prefer, also for sources stored before TLS settings existed', async () => {
      const created = await sources.create(server);
      expect(created.tlsMode).toBe('prefer');
      expect(created).not.toHaveProperty('caCertificate');
      const old = await ctx.store.sources.create({ type: 'mysql', name: 'Old', host: 'h', username: 'u' });
      expect(old.options).toEqual({});
      expect((await sources.get(old.id)).tlsMode).toBe('prefer');
      expect((await sources.create({ type: 'sqlite', name: 'file', sqlitePath: '/srv/a.db' })).tlsMode).toBeUndefined();
    });

    it('stores the mode and the CA certificate in the options, and shows both', async () => {
      const created = await sources.create({ ...server, tlsMode: 'verify-full', caCertificate: `\n${certs.caCert}\n\n` });
      expect(created).toMatchObject({ tlsMode: 'verify-full', caCertificate: certs.caCert });
      expect((await ctx.store.sources.get(created.id))?.options).toEqual({ sslmode: 'verify-full', caCertificate: certs.caCert });

      const updated = await sources.update(created.id, { ...server, tlsMode: 'require' });
      expect(updated.tlsMode).toBe('require');
      expect(updated).not.toHaveProperty('caCertificate');
      expect((await ctx.store.sources.get(created.id))?.options).toEqual({ sslmode: 'require' });
    });

    it('refuses an unknown mode, a CA certificate for a mode that checks none, and text that is not a certificate', async () => {
      expect(await fieldsOf(sources.create({ ...server, tlsMode: 'required' }))).toEqual({ tlsMode: 'Choose disable, prefer, require, verify-ca or verify-full.' });
      expect(await fieldsOf(sources.create({ ...server, tlsMode: 'require', caCertificate: certs.caCert }))).toEqual({
        caCertificate: 'A CA certificate is used only with verify-ca or verify-full. Clear it, or choose one of those TLS modes.',
      });
      expect(await fieldsOf(sources.create({ ...server, tlsMode: 'verify-ca', caCertificate: certs.serverKey }))).toEqual({
        caCertificate: expect.stringContaining('is a private key'),
      });
      expect(await ctx.store.sources.list()).toEqual([]);
    });

    it('tests unsaved settings with the TLS settings of the form', async () => {
      const created = await sources.create({ ...server, tlsMode: 'disable' });
      await sources.testInput({ ...server, tlsMode: 'verify-ca', caCertificate: certs.caCert }, created.id);
      expect(opened.opened.at(-1)?.options).toEqual({ sslmode: 'verify-ca', caCertificate: certs.caCert });
    });
  });
});
