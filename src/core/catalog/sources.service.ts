import { isAbsolute } from 'node:path';
import type { JobRef, Repositories, SourcePatch, SourceRecord, SourceType } from '../../ports/metadata-store.port.ts';
import type { DatabaseSource, ServerInfo, SourceTls, TlsMode } from '../../ports/source.port.ts';
import { DBackupError } from '../errors.ts';
import { Secret } from '../secret.ts';
import { assertNoFieldErrors, trimmed, type FieldErrors } from './field-errors.ts';
import { caCertificateProblem, DEFAULT_TLS_MODE, isTlsMode, tlsOfOptions, verifiesCertificate, withTlsOptions } from './source-tls.ts';

export const SOURCE_TYPES: readonly SourceType[] = ['postgres', 'mysql', 'mariadb', 'sqlite'];

/** What the form sends. Password: blank keeps the stored one; `clearPassword` removes it. */
export interface SourceInput {
  type: string;
  name: string;
  host?: string;
  /** Text from a form or a number; blank = the engine's default port. */
  port?: string | number;
  username?: string;
  password?: string;
  clearPassword?: boolean;
  sqlitePath?: string;
  /** Server sources: `disable`, `prefer` (blank), `require`, `verify-ca` or `verify-full`. */
  tlsMode?: string;
  /** PEM text of the CA certificate(s); only with verify-ca / verify-full. */
  caCertificate?: string;
}

/** A source as the API shows it: never the password, only whether one is stored. */
export interface SourceView {
  id: string;
  type: SourceType;
  name: string;
  host?: string;
  port?: number;
  username?: string;
  sqlitePath?: string;
  /** Server sources only. */
  tlsMode?: TlsMode;
  /** Server sources with a pasted CA certificate (not a secret). */
  caCertificate?: string;
  passwordSet: boolean;
  usedBy: JobRef[];
  createdAt: Date;
  updatedAt: Date;
}

export interface SourcesService {
  list(): Promise<SourceView[]>;
  /** Throws `not_found`. */
  get(id: string): Promise<SourceView>;
  /** Throws `invalid_input` with `details.fields`. */
  create(input: SourceInput): Promise<SourceView>;
  /** The type cannot change. Throws `not_found`, `invalid_input`. */
  update(id: string, input: SourceInput): Promise<SourceView>;
  /** Throws `not_found`, and `conflict` naming the jobs while jobs use it. */
  remove(id: string): Promise<void>;
  /** Connects and reports the engine and version; the source's errors pass through (they say what to do). */
  testConnection(id: string, signal?: AbortSignal): Promise<ServerInfo>;
  /**
   * Tests settings before they are saved; with `id`, a blank password means the stored one.
   * Throws `invalid_input` for bad fields.
   */
  testInput(input: SourceInput, id?: string, signal?: AbortSignal): Promise<ServerInfo>;
  listDatabases(id: string, signal?: AbortSignal): Promise<string[]>;
}

export interface SourcesServiceOptions {
  store: Pick<Repositories, 'sources'>;
  /** Builds the database adapter for a record (see engine.ts). */
  openSource: (record: SourceRecord) => DatabaseSource;
}

const DEFAULT_PORTS: Partial<Record<SourceType, number>> = { postgres: 5432, mysql: 3306, mariadb: 3306 };

/** Database sources: CRUD with field validation, write-only passwords, connection test, database list. */
export function createSourcesService(options: SourcesServiceOptions): SourcesService {
  const { store } = options;

  async function load(id: string): Promise<SourceRecord> {
    const record = await store.sources.get(id);
    if (!record) throw new DBackupError('not_found', 'No such source. It may have been deleted.');
    return record;
  }

  const view = async (record: SourceRecord): Promise<SourceView> => toView(record, await store.sources.usedBy(record.id));

  return {
    async list() {
      return Promise.all((await store.sources.list()).map(view));
    },
    async get(id) {
      return view(await load(id));
    },
    async create(input) {
      const fields = validate(input);
      const record = await store.sources.create({
        type: input.type as SourceType,
        name: fields.name,
        ...(fields.sqlitePath !== undefined ? { sqlitePath: fields.sqlitePath } : { host: fields.host, port: fields.port, username: fields.username }),
        ...(trimmed(input.password) !== '' && input.type !== 'sqlite' ? { password: new Secret(input.password ?? '') } : {}),
        ...(fields.tls ? { options: withTlsOptions({}, fields.tls) } : {}),
      });
      return view(record);
    },
    async update(id, input) {
      const record = await load(id);
      if (input.type !== record.type) {
        throw new DBackupError('invalid_input', 'The type of a source cannot change. Create a new source instead.', { details: { fields: { type: 'Cannot change.' } } });
      }
      const fields = validate(input);
      const patch: SourcePatch = { name: fields.name };
      if (record.type === 'sqlite') {
        patch.sqlitePath = fields.sqlitePath ?? null;
      } else {
        patch.host = fields.host ?? null;
        patch.port = fields.port ?? null;
        patch.username = fields.username ?? null;
        if (fields.tls) patch.options = withTlsOptions(record.options, fields.tls);
        if (input.clearPassword) patch.password = null;
        else if (trimmed(input.password) !== '') patch.password = new Secret(input.password ?? '');
      }
      return view(await store.sources.update(id, patch));
    },
    async remove(id) {
      await load(id);
      await store.sources.delete(id);
    },
    async testConnection(id, signal) {
      return options.openSource(await load(id)).testConnection({ signal });
    },
    async testInput(input, id, signal) {
      const stored = id ? await load(id) : undefined;
      const fields = validate(input);
      const now = new Date();
      const password = trimmed(input.password) !== '' ? new Secret(input.password ?? '') : input.clearPassword ? undefined : stored?.password;
      const record: SourceRecord = {
        id: stored?.id ?? 'unsaved', type: input.type as SourceType, name: fields.name, host: fields.host, port: fields.port,
        username: fields.username, password, sqlitePath: fields.sqlitePath, createdAt: now, updatedAt: now,
        options: fields.tls ? withTlsOptions(stored?.options ?? {}, fields.tls) : (stored?.options ?? {}),
      };
      return options.openSource(record).testConnection({ signal });
    },
    async listDatabases(id, signal) {
      return options.openSource(await load(id)).listDatabases({ signal });
    },
  };
}

interface CleanSource {
  name: string;
  host?: string;
  port?: number;
  username?: string;
  sqlitePath?: string;
  tls?: SourceTls;
}

/** Field rules; throws `invalid_input` with one message per bad field. */
function validate(input: SourceInput): CleanSource {
  const errors: FieldErrors = {};
  if (!SOURCE_TYPES.includes(input.type as SourceType)) {
    assertNoFieldErrors({ type: 'Choose PostgreSQL, MySQL, MariaDB or SQLite.' });
  }
  const name = trimmed(input.name);
  if (name === '') errors.name = 'Name is required.';
  else if (name.length > 100) errors.name = 'Keep the name under 100 characters.';
  const clean: CleanSource = { name };
  if (input.type === 'sqlite') {
    const path = trimmed(input.sqlitePath);
    if (path === '') errors.sqlitePath = 'Database file is required.';
    else if (!isAbsolute(path)) errors.sqlitePath = 'Use an absolute path, e.g. /var/lib/app/app.sqlite.';
    else if (path.split(/[\\/]/).includes('..')) errors.sqlitePath = 'The path must not contain "..".';
    clean.sqlitePath = path;
  } else {
    const host = trimmed(input.host);
    if (host === '') errors.host = 'Host is required, e.g. 127.0.0.1 or db.internal.';
    else if (/[\s/]/.test(host)) errors.host = 'Enter only the host name or address, without spaces, scheme or path.';
    clean.host = host;
    const portText = String(input.port ?? '').trim();
    if (portText !== '') {
      const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
      if (!Number.isInteger(port) || port < 1 || port > 65535) errors.port = `Port must be a number from 1 to 65535 (default ${DEFAULT_PORTS[input.type as SourceType]}).`;
      else clean.port = port;
    }
    const username = trimmed(input.username);
    if (username === '') errors.username = 'User name is required.';
    clean.username = username;
    clean.tls = validateTls(input, errors);
  }
  assertNoFieldErrors(errors);
  return clean;
}

function validateTls(input: SourceInput, errors: FieldErrors): SourceTls {
  const modeText = trimmed(input.tlsMode);
  const mode = modeText === '' ? DEFAULT_TLS_MODE : modeText;
  if (!isTlsMode(mode)) {
    errors.tlsMode = 'Choose disable, prefer, require, verify-ca or verify-full.';
    return { mode: DEFAULT_TLS_MODE };
  }
  const caCertificate = trimmed(input.caCertificate);
  if (caCertificate === '') return { mode };
  if (!verifiesCertificate(mode)) {
    errors.caCertificate = 'A CA certificate is used only with verify-ca or verify-full. Clear it, or choose one of those TLS modes.';
    return { mode };
  }
  const problem = caCertificateProblem(caCertificate);
  if (problem !== undefined) errors.caCertificate = problem;
  return { mode, caCertificate: `${caCertificate}\n` };
}

function toView(record: SourceRecord, usedBy: JobRef[]): SourceView {
  const tls = record.type === 'sqlite' ? undefined : viewTls(record.options);
  return {
    id: record.id,
    type: record.type,
    name: record.name,
    ...(record.host !== undefined ? { host: record.host } : {}),
    ...(record.port !== undefined ? { port: record.port } : {}),
    ...(record.username !== undefined ? { username: record.username } : {}),
    ...(record.sqlitePath !== undefined ? { sqlitePath: record.sqlitePath } : {}),
    ...(tls ? { tlsMode: tls.mode } : {}),
    ...(tls?.caCertificate !== undefined ? { caCertificate: tls.caCertificate } : {}),
    passwordSet: record.password !== undefined,
    usedBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** The stored TLS settings for display; none for a mode this version does not know (using the source says so). */
function viewTls(options: Record<string, unknown>): SourceTls | undefined {
  try {
    return tlsOfOptions(options);
  } catch {
    return undefined;
  }
}
