import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A fresh 0700 folder for short-lived files only this user may read: client option files with a
 * login, CA certificates for the dump tools. Files are written with mode 0600 and never replaced.
 */
export interface PrivateDir {
  /** Writes `content` to the new file `name` (mode 0600) and returns its absolute path. */
  write(name: string, content: string): Promise<string>;
  /** Deletes the folder and its files; safe to call twice. */
  remove(): Promise<void>;
}

/** Creates the folder under `directory` (made first if missing, mode 0700), named `<prefix>XXXXXX`. */
export async function createPrivateDir(directory: string, prefix: string): Promise<PrivateDir> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(directory, prefix));
  return {
    async write(name, content) {
      const path = join(dir, name);
      await writeFile(path, content, { mode: 0o600, flag: 'wx' });
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
