import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccountState, type AccountState } from './accounts.ts';
import { createClock, type Clock } from './clock.ts';
import type { ResolvedApp, ResolvedConfig } from './config.ts';
import { createFaultStore, type FaultStore } from './control/faults.ts';
import { createCursorStore, type CursorStore } from './files/cursors.ts';
import { createSessionStore, type SessionStore } from './files/sessions.ts';
import { randomToken } from './ids.ts';
import type { PendingAuthorization } from './oauth/authorize-requests.ts';
import { createTokenStore, type TokenStore } from './oauth/token-store.ts';

/** Everything the emulator knows. Metadata is in memory; file bodies are files in `blobDir`. */
export interface EmulatorState {
  config: ResolvedConfig;
  clock: Clock;
  apps: Map<string, ResolvedApp>;
  /** Keyed by lowercase email. */
  accounts: Map<string, AccountState>;
  tokens: TokenStore;
  sessions: SessionStore;
  cursors: CursorStore;
  faults: FaultStore;
  /** Authorize-page requests waiting for the user's decision, by id. */
  pendingAuthorizations: Map<string, PendingAuthorization>;
  blobDir: string;
  /** Deletes all files, sessions, tokens and faults and undoes control-API changes; keeps apps and accounts. */
  reset(): Promise<void>;
  /** Removes the run directory. */
  dispose(): Promise<void>;
}

export async function createState(config: ResolvedConfig): Promise<EmulatorState> {
  const runDir = config.dataDir === undefined
    ? await mkdtemp(join(tmpdir(), 'dropbox-emulator-'))
    : join(config.dataDir, `emulator-run-${process.pid}-${randomToken(6)}`);
  const blobDir = join(runDir, 'blobs');
  await mkdir(blobDir, { recursive: true });
  const clock = createClock();
  const configuredScopes = new Map(config.apps.map((a) => [a.key, [...a.scopes]]));
  const state: EmulatorState = {
    config,
    clock,
    apps: new Map(config.apps.map((a) => [a.key, a])),
    accounts: new Map(config.accounts.map((a) => [a.email.toLowerCase(), createAccountState(a)])),
    tokens: createTokenStore(clock, { accessSeconds: config.accessTokenTtlSeconds, codeSeconds: config.authorizationCodeTtlSeconds }),
    sessions: createSessionStore(clock, { ttlSeconds: config.uploadSessionTtlSeconds, blobDir }),
    cursors: createCursorStore(),
    faults: createFaultStore(),
    pendingAuthorizations: new Map(),
    blobDir,
    async reset() {
      state.sessions.clear();
      state.tokens.clear();
      state.cursors.clear();
      state.faults.clear();
      state.pendingAuthorizations.clear();
      for (const account of state.accounts.values()) account.ns.clear();
      // Control-API changes are runtime state too: back to the configured scopes, quotas and time.
      for (const app of state.apps.values()) app.scopes = [...(configuredScopes.get(app.key) ?? app.scopes)];
      for (const account of config.accounts) {
        const live = state.accounts.get(account.email.toLowerCase());
        if (live) live.quotaBytes = account.quotaBytes;
      }
      clock.setOffsetSeconds(0);
      await rm(blobDir, { recursive: true, force: true });
      await mkdir(blobDir, { recursive: true });
    },
    async dispose() {
      await rm(runDir, { recursive: true, force: true });
    },
  };
  return state;
}
