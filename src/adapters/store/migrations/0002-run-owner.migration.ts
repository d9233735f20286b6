/**
 * Runs record the process that executes them (`owner`, see ports/process-ownership.port.ts), so a
 * starting server interrupts only runs whose process has ended, not a CLI backup still running.
 * Existing rows keep NULL, which counts as ended.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('owner', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('owner').execute();
}
