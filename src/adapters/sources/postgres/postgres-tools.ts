import { existsSync, readdirSync } from 'node:fs';
import { DBackupError, isDBackupError } from '../../../core/errors.ts';
import { missingToolError, runTool, toolEnv } from '../process-runner.ts';

export type PostgresToolName = 'pg_dump' | 'psql';

/** Paths of the PostgreSQL client programs; by default looked up on PATH, then in Debian's layout. */
export interface PostgresTools {
  pgDump?: string;
  psql?: string;
}

export interface ResolvedTool {
  name: PostgresToolName;
  path: string;
  /** e.g. `15.20` */
  version: string;
  major: number;
  installHint: string;
}

// Debian and Ubuntu install each major version side by side here; PATH may hold an older one.
const DEBIAN_VERSIONS_DIR = '/usr/lib/postgresql';

export function postgresInstallHint(serverMajor: number): string {
  const version = serverMajor > 0 ? String(serverMajor) : '<server version>';
  return (
    `Install the PostgreSQL client tools, version ${version} or newer ` +
    `(Debian/Ubuntu: apt-get install postgresql-client-${version}; Alpine: apk add postgresql${version}-client; macOS: brew install libpq).`
  );
}

/** `pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)` → `{ version: '15.20', major: 15 }` */
export function parsePostgresToolVersion(output: string): { version: string; major: number } | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const version = match.slice(1).filter((part) => part !== undefined).join('.');
  return { version, major: Number(match[1]) };
}

/**
 * Finds a `pg_dump` or `psql` at least as new as the server's major version. pg_dump refuses to
 * dump a newer server, and dumps of a newer pg_dump can hold commands an older psql does not know.
 *
 * An explicitly configured path is the only candidate. Otherwise: PATH first, then
 * `/usr/lib/postgresql/<major>/bin`, newest first. Throws `unavailable` with `details.reason`
 * `tool_missing` or `tool_too_old`, and a message naming the package to install.
 */
export async function resolvePostgresTool(
  name: PostgresToolName,
  configuredPath: string | undefined,
  serverMajor: number,
  signal?: AbortSignal,
): Promise<ResolvedTool> {
  const installHint = postgresInstallHint(serverMajor);
  const candidates = configuredPath ? [configuredPath] : [name, ...debianCandidates(name)];
  let newestTooOld: ResolvedTool | undefined;
  for (const path of candidates) {
    let output: string;
    try {
      output = await runTool({ name, path, args: ['--version'], env: toolEnv(), installHint }, { signal });
    } catch (error) {
      if (isDBackupError(error, 'unavailable') && error.details.reason === 'tool_missing') continue;
      throw error;
    }
    const parsed = parsePostgresToolVersion(output);
    if (!parsed) {
      throw new DBackupError('unavailable', `${path} does not look like PostgreSQL's ${name} (it printed "${output.slice(0, 200)}").`, {
        details: { reason: 'tool_unrecognized', tool: name, path },
      });
    }
    const tool: ResolvedTool = { name, path, installHint, ...parsed };
    if (parsed.major >= serverMajor) return tool;
    if (!newestTooOld || newestTooOld.major < parsed.major) newestTooOld = tool;
  }
  if (newestTooOld) throw toolTooOldError(newestTooOld, serverMajor);
  throw missingToolError({ name, path: configuredPath ?? name, installHint });
}

function toolTooOldError(tool: ResolvedTool, serverMajor: number): DBackupError {
  const what = tool.name === 'pg_dump' ? 'cannot dump' : 'cannot reliably restore into';
  return new DBackupError(
    'unavailable',
    `${tool.name} ${tool.major} ${what} a PostgreSQL ${serverMajor} server; install postgresql-client-${serverMajor} or newer ` +
      `(found ${tool.path}, version ${tool.version}).`,
    { retryable: false, details: { reason: 'tool_too_old', tool: tool.name, path: tool.path, toolVersion: tool.version, serverMajor } },
  );
}

function debianCandidates(name: PostgresToolName): string[] {
  let entries: string[];
  try {
    entries = readdirSync(DEBIAN_VERSIONS_DIR);
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .sort((a, b) => Number(b) - Number(a))
    .map((entry) => `${DEBIAN_VERSIONS_DIR}/${entry}/bin/${name}`)
    .filter((path) => existsSync(path));
}
