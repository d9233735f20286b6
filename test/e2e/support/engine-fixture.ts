/** Helpers for the backup-engine API and browser tests: a real SQLite database and polling. */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ApiClient } from './api-client.ts';

/** A SQLite file with a table of unicode and binary rows, like an application's database. */
export async function createSqliteDatabase(path: string, rows = 50): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, avatar BLOB)');
    db.exec('CREATE VIEW customer_names AS SELECT name FROM customers');
    const insert = db.prepare('INSERT INTO customers (name, avatar) VALUES (?, ?)');
    for (let i = 1; i <= rows; i++) insert.run(`Kunde ${i} — Grüße ✓`, Buffer.from([i % 256, 0, 255, 10]));
  } finally {
    db.close();
  }
}

/** Every row of `customers`, for comparing a restored database with the original. */
export function readCustomers(path: string): unknown[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare('SELECT id, name, hex(avatar) AS avatar FROM customers ORDER BY id').all();
  } finally {
    db.close();
  }
}

/** Polls `path` until `done(body)` holds (default 20 s), returning the last body. */
export async function pollUntil<T>(client: ApiClient, path: string, done: (body: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await client.request<T>('GET', path);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.text}`);
    if (done(response.body)) return response.body;
    if (Date.now() > deadline) throw new Error(`GET ${path} did not reach the expected state: ${response.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
