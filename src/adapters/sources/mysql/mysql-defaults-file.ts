import { tmpdir } from 'node:os';
import type { SourceTls } from '../../../ports/source.port.ts';
import { createPrivateDir } from '../private-files.ts';
import { writeToolCaFile } from '../tls/tool-ca-file.ts';
import type { MysqlFlavour } from './mysql-connection.ts';

/**
 * A client option file holding the login and the TLS settings, so the password never appears on a
 * command line. It is passed as `--defaults-file` (not `--defaults-extra-file`): a `~/.my.cnf` read
 * after an extra file would silently override the configured password. Written into a fresh 0700
 * directory with mode 0600, beside the CA file of the verify modes; `remove()` deletes them all and
 * is safe to call twice.
 */
export interface DefaultsFile {
  /** `--defaults-file=<path>`; must be the program's FIRST argument. */
  argument: string;
  remove(): Promise<void>;
}

/** The TLS settings and the flavour of the program that reads the file (option names differ). */
export interface DefaultsFileTls {
  settings: SourceTls;
  flavour: MysqlFlavour;
}

export async function writeDefaultsFile(login: { user: string; password: string }, directory = tmpdir(), tls?: DefaultsFileTls): Promise<DefaultsFile> {
  const dir = await createPrivateDir(directory, 'dbk-mysql-');
  try {
    const caPath = tls ? await writeToolCaFile(dir, tls.settings) : undefined;
    const lines = ['[client]', `user=${optionValue(login.user)}`, `password=${optionValue(login.password)}`, ...(tls ? mysqlToolTlsLines(tls.settings, tls.flavour, caPath) : [])];
    const path = await dir.write('client.cnf', `${lines.join('\n')}\n`);
    return { argument: `--defaults-file=${path}`, remove: dir.remove };
  } catch (error) {
    await dir.remove();
    throw error;
  }
}

/**
 * Option-file lines with the TLS settings for a client program of `flavour` (the program's, not
 * the server's). `caPath` is the file with the trusted CAs, for the verify modes.
 *
 * MariaDB's programs know `ssl`, `ssl-ca` and `ssl-verify-server-cert` (which checks the host name
 * too); since 11.4 they verify by default, so the modes without a name check turn that off. Before
 * 11.4 they refuse a server without TLS only when they verify the server certificate: for `require`
 * and `verify-ca`, the driver connection made just before with the same settings is what refuses
 * such a server (see docs/operations.md). MySQL's programs take `ssl-mode`, which maps one to one.
 */
export function mysqlToolTlsLines(tls: SourceTls, flavour: MysqlFlavour, caPath: string | undefined): string[] {
  const ca = caPath === undefined ? [] : [`ssl-ca=${optionValue(caPath)}`];
  if (flavour === 'mysql') {
    const sslMode = { disable: 'DISABLED', prefer: 'PREFERRED', require: 'REQUIRED', 'verify-ca': 'VERIFY_CA', 'verify-full': 'VERIFY_IDENTITY' }[tls.mode];
    return [`ssl-mode=${sslMode}`, ...ca];
  }
  switch (tls.mode) {
    case 'disable':
      return ['skip-ssl'];
    case 'prefer':
    case 'require':
      return ['ssl', 'skip-ssl-verify-server-cert'];
    case 'verify-ca':
      return ['ssl', ...ca, 'skip-ssl-verify-server-cert'];
    case 'verify-full':
      return ['ssl', ...ca, 'ssl-verify-server-cert'];
  }
}

/**
 * Quotes a value for a MySQL/MariaDB option file: inside double quotes, backslash escapes for `\`,
 * `"`, newline, carriage return and tab, so `#`, `;`, quotes and spaces all survive verbatim.
 */
export function optionValue(value: string): string {
  const escaped = value.replace(/[\\"\n\r\t]/g, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\${char}`;
    }
  });
  return `"${escaped}"`;
}
