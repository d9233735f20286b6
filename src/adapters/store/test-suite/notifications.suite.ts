/** Store suite: webhook targets (URL encrypted at rest, events normalised, patch semantics). */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { Secret } from '../../../core/secret.ts';
import { createAesGcmSecretBox } from '../../secrets/aes-gcm.secret-box.ts';
import { rejection, type StoreHarness } from './harness.ts';

const SLACK = 'https://hooks.slack.example/services/T000/B000/very-secret-token';

export function notificationsSuite(h: () => StoreHarness): void {
  it('webhooks: create with default events; the URL is stored only encrypted', async () => {
    const { store, raw } = h();
    const hook = await store.webhooks.create({ name: '  Ops Slack ', url: new Secret(SLACK) });
    expect(hook).toMatchObject({ name: 'Ops Slack', events: ['run.failed', 'run.partial', 'run.interrupted'], enabled: true });
    expect(hook.url.reveal()).toBe(SLACK);
    const row = await raw.selectFrom('webhooks').selectAll().where('id', '=', hook.id).executeTakeFirstOrThrow();
    expect(row.url_enc).not.toContain('very-secret-token');
    expect(row.url_enc).not.toContain('slack');
    expect((await store.webhooks.get(hook.id))?.url.reveal()).toBe(SLACK);
  });

  it('webhooks: events are kept in canonical order without repeats or unknown names; list is by name', async () => {
    const { store } = h();
    await store.webhooks.create({ name: 'b', url: new Secret('http://b.example/'), events: ['run.succeeded', 'run.failed', 'run.failed'] });
    const weird = ['run.partial', 'nonsense'] as unknown as Parameters<typeof store.webhooks.create>[0]['events'];
    await store.webhooks.create({ name: 'a', url: new Secret('http://a.example/'), events: weird, enabled: false });
    const list = await store.webhooks.list();
    expect(list.map((w) => [w.name, w.events, w.enabled])).toEqual([
      ['a', ['run.partial'], false],
      ['b', ['run.failed', 'run.succeeded'], true],
    ]);
  });

  it('webhooks: update changes only what is given; blank names and unknown ids are refused', async () => {
    const { store, clock } = h();
    const hook = await store.webhooks.create({ name: 'x', url: new Secret('http://old.example/') });
    clock.advance(1000);
    const renamed = await store.webhooks.update(hook.id, { name: 'y', enabled: false });
    expect(renamed).toMatchObject({ name: 'y', enabled: false, events: hook.events });
    expect(renamed.url.reveal()).toBe('http://old.example/');
    expect(renamed.updatedAt.getTime() - hook.updatedAt.getTime()).toBe(1000);
    const moved = await store.webhooks.update(hook.id, { url: new Secret('https://new.example/t'), events: ['run.succeeded'] });
    expect(moved.url.reveal()).toBe('https://new.example/t');
    expect(moved.events).toEqual(['run.succeeded']);
    expect((await rejection(store.webhooks.update(hook.id, { name: '  ' }))).code).toBe('invalid_input');
    expect((await rejection(store.webhooks.update('nope', { name: 'z' }))).code).toBe('not_found');
    expect((await rejection(store.webhooks.create({ name: '', url: new Secret('http://x/') }))).code).toBe('invalid_input');
  });

  it('webhooks: delete reports whether something was deleted', async () => {
    const { store } = h();
    const hook = await store.webhooks.create({ name: 'x', url: new Secret('http://x.example/') });
    expect(await store.webhooks.delete(hook.id)).toBe(true);
    expect(await store.webhooks.delete(hook.id)).toBe(false);
    expect(await store.webhooks.list()).toEqual([]);
  });

  it('webhooks: key rotation re-encrypts their URLs', async () => {
    const { store } = h();
    const hook = await store.webhooks.create({ name: 'x', url: new Secret(SLACK) });
    const result = await store.reencryptSecrets(createAesGcmSecretBox(randomBytes(32)));
    expect(result.secrets).toBe(1);
    expect((await store.webhooks.get(hook.id))?.url.reveal()).toBe(SLACK);
  });
}
