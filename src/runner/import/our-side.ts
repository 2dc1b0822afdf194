/**
 * What `import` must not clash with on our side: the migration files already in our folder, the
 * rollbacks it would write over, and (with a database) the ledger, read without creating it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConvertedMigration } from '../../core/import/converted-migration.js';
import { parseMigrationName } from '../../core/migration-name.js';
import type { ResolvedConfig } from '../../config/load-config.js';
import type { Database } from '../../db/database.js';
import { describeLedgerTable, readLedger, type LedgerRow } from '../../db/ledger.js';

/** Every file of our migrations folder named like a migration of ours, with its bytes. */
export function readOurMigrations(config: ResolvedConfig): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  if (!existsSync(config.migrationsDir)) return found;
  for (const e of readdirSync(config.migrationsDir, { withFileTypes: true })) {
    if (e.isFile() && parseMigrationName(e.name) !== undefined) found.set(e.name, readFileSync(path.join(config.migrationsDir, e.name)));
  }
  return found;
}

/** The rollback files the import would write, where they already exist. */
export function readOurRollbacks(config: ResolvedConfig, migrations: readonly ConvertedMigration[]): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  for (const m of migrations) {
    const file = path.join(config.rollbacksDir, m.file);
    if (m.rollback !== undefined && existsSync(file)) found.set(m.file, readFileSync(file));
  }
  return found;
}

/** Our ledger's rows; none when the table does not exist yet (it is created only to record). */
export async function readOurLedger(db: Database, config: ResolvedConfig): Promise<LedgerRow[]> {
  const columns = await describeLedgerTable(db, config.table);
  return columns === undefined ? [] : readLedger(db, config.table);
}
