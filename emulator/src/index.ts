/**
 * Public programmatic API of the Dropbox API emulator.
 *
 * `startEmulator` starts one HTTP listener that serves every Dropbox host's routes (API, content,
 * OAuth pages) by path, plus the test-control API under `/__emulator/`. See emulator/README.md.
 */
export interface EmulatorApp {
  key: string;
  secret: string;
  name: string;
  redirectUris: string[];
  accessType: 'app_folder' | 'full_dropbox';
  scopes: string[];
  appFolderName?: string;
}

export interface EmulatorAccount {
  name: string;
  email: string;
  quotaBytes?: number;
}

export interface EmulatorConfig {
  apps: EmulatorApp[];
  accounts: EmulatorAccount[];
  /** Where file bodies are stored; a fresh temp dir (removed on close) when omitted. */
  dataDir?: string;
  /** `expires_in` of access tokens; default 14400 (4 h, like Dropbox). */
  accessTokenTtlSeconds?: number;
  /** Largest request body accepted by upload routes; default 150 MiB (Dropbox's limit). */
  maxRequestBytes?: number;
  /** Lifetime of upload sessions; default 7 days. */
  uploadSessionTtlSeconds?: number;
  /** Lifetime of OAuth authorization codes; default 600 s. */
  authorizationCodeTtlSeconds?: number;
}

export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** Stops the listener, destroys open connections and removes a temp data dir it created. */
  close(): Promise<void>;
}

export { ALL_SCOPES } from './scopes.ts';
export { startEmulator } from './start.ts';
