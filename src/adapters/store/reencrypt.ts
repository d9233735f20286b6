/** Re-encrypts every secret column (secret-fields.ts) and the key check under a new key. */
import type { Kysely } from 'kysely';
import type { SecretBox } from '../../ports/secret-box.port.ts';
import { KEY_CHECK_SETTING, sealKeyCheck } from './key-check.ts';
import type { StoreSchema } from './schema.ts';
import { SECRET_FIELDS } from './secret-fields.ts';

type AnyRow = Record<string, string | null>;

/**
 * Call inside a transaction. Opens each value with `from` (throwing `integrity` on the first one
 * that does not open, which rolls the transaction back) and stores it sealed with `to`.
 * Returns how many values were re-encrypted.
 */
export async function reencryptAllSecrets(db: Kysely<StoreSchema>, from: SecretBox, to: SecretBox, now: Date): Promise<number> {
  // Table and column names come from the fixed SECRET_FIELDS list, so dynamic access is safe.
  const loose = db as unknown as Kysely<Record<string, AnyRow>>;
  let count = 0;
  for (const field of SECRET_FIELDS) {
    const rows = await loose
      .selectFrom(field.table)
      .select([field.idColumn, field.column])
      .where(field.column, 'is not', null)
      .execute();
    for (const row of rows) {
      const id = row[field.idColumn] as string;
      const context = field.context(id);
      const plain = from.open(row[field.column] as string, context);
      await loose
        .updateTable(field.table)
        .set({ [field.column]: to.seal(plain, context) })
        .where(field.idColumn, '=', id)
        .execute();
      count += 1;
    }
  }
  const updatedAt = now.toISOString();
  await db
    .insertInto('settings')
    .values({ key: KEY_CHECK_SETTING, value: sealKeyCheck(to), updated_at: updatedAt })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sealKeyCheck(to), updated_at: updatedAt }))
    .execute();
  return count;
}
