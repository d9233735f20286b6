import { DBackupError, isDBackupError } from '../../../core/errors.ts';
import { missingToolError, runTool, toolEnv } from '../process-runner.ts';
import type { MysqlFlavour, MysqlServerInfo } from './mysql-connection.ts';

/** Paths of the dump program and the command-line client; by default looked up on PATH. */
export interface MysqlTools {
  /** `mariadb-dump` or `mysqldump`. */
  dump?: string;
  /** `mariadb` or `mysql`. */
  client?: string;
}

export type MysqlToolRole = 'dump' | 'client';

export interface ResolvedMysqlTool {
  role: MysqlToolRole;
  /** Program name as found, e.g. `mariadb-dump`. */
  name: string;
  path: string;
  flavour: MysqlFlavour;
  /** Version of the server distribution the tool belongs to, e.g. `10.11.19` or `8.0.36`. */
  version: string;
  major: number;
  installHint: string;
}

const PROGRAMS: Record<MysqlToolRole, Record<MysqlFlavour, readonly string[]>> = {
  // The server's own flavour first: each side's newest features are only known to its own tools.
  dump: { mariadb: ['mariadb-dump', 'mysqldump'], mysql: ['mysqldump', 'mariadb-dump'] },
  client: { mariadb: ['mariadb', 'mysql'], mysql: ['mysql', 'mariadb'] },
};

export function mysqlInstallHint(server: Pick<MysqlServerInfo, 'flavour' | 'major' | 'minor'>): string {
  return server.flavour === 'mariadb'
    ? 'Install the MariaDB client tools (Debian/Ubuntu: apt-get install mariadb-client; Alpine: apk add mariadb-client; macOS: brew install mariadb).'
    : `Install the MySQL client tools, version ${server.major}.${server.minor} or newer ` +
        '(Debian/Ubuntu: apt-get install mysql-client; Alpine: apk add mysql-client; macOS: brew install mysql-client).';
}

/**
 * Reads the flavour and version from `--version` output:
 * `mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)`,
 * `mariadb-dump from 11.4.2-MariaDB, client 10.19 for Linux (x86_64)`,
 * `mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)`,
 * `mysqldump  Ver 10.13 Distrib 5.7.44, for Linux (x86_64)`.
 */
export function parseMysqlToolVersion(output: string): { flavour: MysqlFlavour; version: string; major: number } | undefined {
  const mariadb = /(\d+)\.(\d+)\.(\d+)-MariaDB/i.exec(output);
  if (mariadb) return { flavour: 'mariadb', version: `${mariadb[1]}.${mariadb[2]}.${mariadb[3]}`, major: Number(mariadb[1]) };
  const mysql = /Distrib (\d+)\.(\d+)\.(\d+)/.exec(output) ?? /Ver (\d+)\.(\d+)\.(\d+)/.exec(output);
  if (mysql) return { flavour: 'mysql', version: `${mysql[1]}.${mysql[2]}.${mysql[3]}`, major: Number(mysql[1]) };
  return undefined;
}

/**
 * Finds a dump program or client that can work with `server`. A configured path is the only
 * candidate; otherwise the server flavour's program first, then the other's. A MySQL tool of an
 * older major version than a MySQL server is refused (5.7's mysqldump does not know 8.0).
 * Throws `unavailable` with `details.reason` `tool_missing` or `tool_too_old`.
 */
export async function resolveMysqlTool(
  role: MysqlToolRole,
  configuredPath: string | undefined,
  server: MysqlServerInfo,
  signal?: AbortSignal,
): Promise<ResolvedMysqlTool> {
  const installHint = mysqlInstallHint(server);
  const names = PROGRAMS[role][server.flavour];
  const candidates = configuredPath ? [configuredPath] : names;
  let tooOld: ResolvedMysqlTool | undefined;
  for (const path of candidates) {
    const name = configuredPath ? (path.split('/').pop() ?? path) : path;
    let output: string;
    try {
      output = await runTool({ name, path, args: ['--version'], env: toolEnv(), installHint }, { signal });
    } catch (error) {
      if (isDBackupError(error, 'unavailable') && error.details.reason === 'tool_missing') continue;
      throw error;
    }
    const parsed = parseMysqlToolVersion(output);
    if (!parsed) {
      throw new DBackupError('unavailable', `${path} does not look like a MySQL or MariaDB ${role} program (it printed "${output.slice(0, 200)}").`, {
        details: { reason: 'tool_unrecognized', tool: name, path },
      });
    }
    const tool: ResolvedMysqlTool = { role, name, path, installHint, ...parsed };
    if (parsed.flavour === 'mysql' && server.flavour === 'mysql' && parsed.major < server.major) {
      tooOld ??= tool;
      continue;
    }
    return tool;
  }
  if (tooOld) {
    throw new DBackupError(
      'unavailable',
      `${tooOld.name} ${tooOld.version} is older than the MySQL ${server.version} server; install the MySQL ${server.major}.${server.minor} client tools or newer (found ${tooOld.path}).`,
      { retryable: false, details: { reason: 'tool_too_old', tool: tooOld.name, path: tooOld.path, toolVersion: tooOld.version } },
    );
  }
  const label = configuredPath ? (configuredPath.split('/').pop() ?? configuredPath) : names.join(' or ');
  throw missingToolError({ name: label, path: configuredPath ?? label, installHint });
}

/**
 * Arguments for a consistent, restorable dump: one snapshot (`--single-transaction`, InnoDB),
 * routines, triggers and events, binary columns as hex, utf8mb4 throughout, and no tablespace
 * statements (they need the PROCESS privilege and do not restore elsewhere).
 */
export function dumpArguments(tool: Pick<ResolvedMysqlTool, 'flavour' | 'major'>, server: Pick<MysqlServerInfo, 'flavour'>): string[] {
  const args = [
    '--single-transaction',
    '--quick',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    '--no-tablespaces',
  ];
  if (tool.flavour === 'mysql' && tool.major >= 8 && server.flavour === 'mariadb') {
    // MySQL 8's mysqldump asks for a statistics table MariaDB does not have.
    args.push('--column-statistics=0');
  }
  if (tool.flavour === 'mysql' && server.flavour === 'mysql') {
    // GTID_PURGED statements would make the dump fail to restore into a server with its own GTIDs.
    args.push('--set-gtid-purged=OFF');
  }
  return args;
}
