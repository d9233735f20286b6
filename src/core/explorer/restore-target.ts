import { basename, dirname, extname, join } from 'node:path';
import type { SourceRecord } from '../../ports/metadata-store.port.ts';
import { assertNoFieldErrors } from '../catalog/field-errors.ts';

/** MySQL and MariaDB dumps restore into each other; other engines only into themselves. */
export function engineFamily(type: string): string {
  return type === 'mariadb' ? 'mysql' : type;
}

/**
 * The record to open and the database name to restore into. A SQLite source is one file whose one
 * database is named like the file (`app.sqlite`); a new name means a new file in the same folder
 * (`copy` → `copy.sqlite`, keeping the source file's extension when the name has none).
 */
export function restoreTarget(source: SourceRecord, requested: string | undefined, backedUp: string | undefined): { record: SourceRecord; database: string } {
  if (source.type !== 'sqlite') {
    const database = requested ?? backedUp;
    if (!database) assertNoFieldErrors({ database: 'Enter the name of the database to restore into.' });
    return { record: source, database: database! };
  }
  const path = source.sqlitePath ?? '';
  const own = basename(path);
  if (!requested || requested === own) return { record: source, database: own };
  const fileName = extname(requested) ? requested : `${requested}${extname(path) || '.sqlite'}`;
  return { record: { ...source, sqlitePath: join(dirname(path), fileName) }, database: fileName };
}
