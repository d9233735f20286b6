import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A client option file holding the login, so the password never appears on a command line. It is
 * passed as `--defaults-file` (not `--defaults-extra-file`): a `~/.my.cnf` read after an extra file
 * would silently override the configured password. Written into a fresh 0700 directory with mode
 * 0600; `remove()` deletes both and is safe to call twice.
 */
export interface DefaultsFile {
  /** `--defaults-file=<path>`; must be the program's FIRST argument. */
  argument: string;
  remove(): Promise<void>;
}

export async function writeDefaultsFile(login: { user: string; password: string }, directory = tmpdir()): Promise<DefaultsFile> {
  const dir = await mkdtemp(join(directory, 'dbk-mysql-'));
  const path = join(dir, 'client.cnf');
  const content = `[client]\nuser=${optionValue(login.user)}\npassword=${optionValue(login.password)}\n`;
  try {
    await writeFile(path, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    argument: `--defaults-file=${path}`,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
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
