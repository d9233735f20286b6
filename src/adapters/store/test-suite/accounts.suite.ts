import { expect, it } from 'vitest';
import { Secret } from '../../../core/secret.ts';
import { OAUTH_STATE_TTL_MS } from '../../../ports/metadata-store.port.ts';
import { rejection, type StoreHarness } from './harness.ts';

export function accountsSuite(h: () => StoreHarness): void {
  it('users: create, case-insensitive lookup and uniqueness, count, password update', async () => {
    const { store } = h();
    expect(await store.users.count()).toBe(0);
    const admin = await store.users.create({ username: 'Admin', passwordHash: '$scrypt$x' });
    expect(await store.users.count()).toBe(1);
    expect((await store.users.findByUsername('aDMIN'))?.id).toBe(admin.id);
    expect(await store.users.get(admin.id)).toEqual(admin);
    const taken = await rejection(store.users.create({ username: 'ADMIN', passwordHash: 'h' }));
    expect(taken.code).toBe('conflict');
    expect(taken.message).toContain('already taken');
    await store.users.updatePasswordHash(admin.id, '$scrypt$new');
    expect((await store.users.get(admin.id))?.passwordHash).toBe('$scrypt$new');
    expect((await rejection(store.users.updatePasswordHash('missing', 'h'))).code).toBe('not_found');
  });

  it('sessions: active until expiry, sliding touch, housekeeping, unknown user refused', async () => {
    const { store, clock } = h();
    const user = await store.users.create({ username: 'u', passwordHash: 'h' });
    const expiresAt = new Date(clock.now().getTime() + 60_000);
    await store.sessions.create({ idHash: 'sess-hash', userId: user.id, csrfToken: 'csrf', expiresAt });
    expect(await store.sessions.findActive('sess-hash')).toMatchObject({ userId: user.id, csrfToken: 'csrf', expiresAt });
    clock.advance(30_000);
    await store.sessions.touch('sess-hash', new Date(clock.now().getTime() + 60_000));
    clock.advance(45_000);
    expect((await store.sessions.findActive('sess-hash'))?.lastSeenAt).toEqual(new Date(clock.now().getTime() - 45_000));
    clock.advance(20_000);
    expect(await store.sessions.findActive('sess-hash')).toBeUndefined();
    expect(await store.sessions.deleteExpired()).toBe(1);
    expect((await rejection(store.sessions.create({ idHash: 'x', userId: 'nobody', csrfToken: 'c', expiresAt }))).code).toBe('not_found');
  });

  it('sessions: logout and logout-everywhere; deleting a user removes their sessions and tokens', async () => {
    const { store, clock } = h();
    const user = await store.users.create({ username: 'u', passwordHash: 'h' });
    const expiresAt = new Date(clock.now().getTime() + 60_000);
    for (const id of ['a', 'b', 'c']) await store.sessions.create({ idHash: id, userId: user.id, csrfToken: 'c', expiresAt });
    await store.sessions.delete('a');
    await store.sessions.delete('a');
    expect(await store.sessions.findActive('a')).toBeUndefined();
    expect(await store.sessions.deleteForUser(user.id)).toBe(2);
    await store.sessions.create({ idHash: 'd', userId: user.id, csrfToken: 'c', expiresAt });
    await store.apiTokens.create({ userId: user.id, name: 'ci', tokenHash: 'th', prefix: 'dbk_x' });
    expect(await store.users.delete(user.id)).toBe(true);
    expect(await store.sessions.findActive('d')).toBeUndefined();
    expect(await store.apiTokens.findByHash('th')).toBeUndefined();
    expect(await store.users.delete(user.id)).toBe(false);
  });

  it('api tokens: found by hash, listed per user, last use recorded, revoked only by their owner', async () => {
    const { store, clock } = h();
    const alice = await store.users.create({ username: 'alice', passwordHash: 'h' });
    const bob = await store.users.create({ username: 'bob', passwordHash: 'h' });
    const token = await store.apiTokens.create({ userId: alice.id, name: 'backup script', tokenHash: 'hash-1', prefix: 'dbk_AbCd1234' });
    expect(token.lastUsedAt).toBeUndefined();
    expect(await store.apiTokens.findByHash('hash-1')).toEqual(token);
    clock.advance(5000);
    await store.apiTokens.markUsed(token.id);
    expect((await store.apiTokens.findByHash('hash-1'))?.lastUsedAt).toEqual(clock.now());
    expect((await store.apiTokens.list(alice.id)).map((t) => t.prefix)).toEqual(['dbk_AbCd1234']);
    expect(await store.apiTokens.list(bob.id)).toEqual([]);
    expect(await store.apiTokens.delete(token.id, bob.id)).toBe(false);
    expect(await store.apiTokens.delete(token.id, alice.id)).toBe(true);
    expect(await store.apiTokens.findByHash('hash-1')).toBeUndefined();
  });

  it('oauth states: single use, bound to the user, expire after 10 minutes, stored hashed and encrypted', async () => {
    const { store, clock, raw } = h();
    const alice = await store.users.create({ username: 'alice', passwordHash: 'h' });
    const bob = await store.users.create({ username: 'bob', passwordHash: 'h' });
    const dest = await store.destinations.create({ type: 'dropbox', name: 'Dropbox' });
    const verifier = 'pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
    const input = { userId: alice.id, destinationId: dest.id, codeVerifier: new Secret(verifier), redirectUri: 'http://localhost:3000/api/adapters/dropbox/callback' };
    await store.oauthStates.create({ ...input, state: 'state-1' });

    const stored = JSON.stringify(await raw.selectFrom('oauth_states').selectAll().execute());
    expect(stored).not.toContain('state-1');
    expect(stored).not.toContain(verifier);

    const otherUser = await rejection(store.oauthStates.consume('state-1', bob.id));
    expect(otherUser.details['reason']).toBe('other_user');
    const consumed = await store.oauthStates.consume('state-1', alice.id);
    expect(consumed.codeVerifier.reveal()).toBe(verifier);
    expect(consumed).toMatchObject({ userId: alice.id, destinationId: dest.id, redirectUri: input.redirectUri });
    expect(consumed.expiresAt.getTime() - consumed.createdAt.getTime()).toBe(OAUTH_STATE_TTL_MS);
    const reused = await rejection(store.oauthStates.consume('state-1', alice.id));
    expect(reused.code).toBe('invalid_input');
    expect(reused.details['reason']).toBe('unknown');

    await store.oauthStates.create({ ...input, state: 'state-2' });
    clock.advance(OAUTH_STATE_TTL_MS);
    expect((await rejection(store.oauthStates.consume('state-2', alice.id))).details['reason']).toBe('expired');
    expect((await rejection(store.oauthStates.consume('state-2', alice.id))).details['reason']).toBe('unknown');
    expect((await rejection(store.oauthStates.consume('never-issued', alice.id))).details['reason']).toBe('unknown');
  });

  it('oauth states: two concurrent callbacks with one state — exactly one wins', async () => {
    const { store } = h();
    const user = await store.users.create({ username: 'u', passwordHash: 'h' });
    const dest = await store.destinations.create({ type: 'dropbox', name: 'D' });
    await store.oauthStates.create({ state: 's', userId: user.id, destinationId: dest.id, codeVerifier: new Secret('v'), redirectUri: 'r' });
    const results = await Promise.allSettled([store.oauthStates.consume('s', user.id), store.oauthStates.consume('s', user.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('oauth states: housekeeping removes only expired ones; unknown destination refused', async () => {
    const { store, clock } = h();
    const user = await store.users.create({ username: 'u', passwordHash: 'h' });
    const dest = await store.destinations.create({ type: 'dropbox', name: 'D' });
    const base = { userId: user.id, destinationId: dest.id, codeVerifier: new Secret('v'), redirectUri: 'r' };
    await store.oauthStates.create({ ...base, state: 'old' });
    clock.advance(OAUTH_STATE_TTL_MS / 2);
    await store.oauthStates.create({ ...base, state: 'new' });
    clock.advance(OAUTH_STATE_TTL_MS / 2);
    expect(await store.oauthStates.deleteExpired()).toBe(1);
    expect((await store.oauthStates.consume('new', user.id)).userId).toBe(user.id);
    const missing = await rejection(store.oauthStates.create({ ...base, destinationId: 'nope', state: 'x' }));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain('Destination nope');
  });
}
