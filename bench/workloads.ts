/**
 * Generates the benchmark workload — N tiny migrations, `CREATE TABLE t_NNNN (id int primary key, v text)` —
 * once per tool, in the file layout each tool's users write:
 *
 *   archon-migrate       <dir>/migrations/0001_create_t_0001.sql           plain SQL
 *   node-pg-migrate 9    <dir>/0001_create_t_0001.sql                      SQL with `-- Up Migration` / `-- Down Migration`
 *   dbmate 2             <dir>/0001_create_t_0001.sql                      `-- migrate:up` / `-- migrate:down`
 *   postgres-migrations  <dir>/1_create_t_0001.sql                         plain SQL, consecutive ids from 1
 *   psql floor           <file>  one script: `BEGIN; <body> COMMIT;` per migration
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function width(count: number): number {
  return Math.max(4, String(count).length);
}

export function tableName(i: number, count: number): string {
  return `t_${String(i).padStart(width(count), '0')}`;
}

export function migrationBody(i: number, count: number): string {
  return `CREATE TABLE ${tableName(i, count)} (id int primary key, v text);\n`;
}

function stem(i: number, count: number): string {
  const n = String(i).padStart(width(count), '0');
  return `${n}_create_t_${n}`;
}

function freshDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** An archon-migrate project directory: `<dir>/migrations/*.sql`, no lockfile yet. */
export function writeArchonProject(dir: string, count: number): string {
  freshDir(dir);
  const migrations = path.join(dir, 'migrations');
  mkdirSync(migrations);
  for (let i = 1; i <= count; i++) writeFileSync(path.join(migrations, `${stem(i, count)}.sql`), migrationBody(i, count));
  return migrations;
}

export function writeNodePgMigrateDir(dir: string, count: number): void {
  freshDir(dir);
  for (let i = 1; i <= count; i++) {
    const up = migrationBody(i, count);
    writeFileSync(path.join(dir, `${stem(i, count)}.sql`), `-- Up Migration\n${up}\n-- Down Migration\nDROP TABLE ${tableName(i, count)};\n`);
  }
}

export function writeDbmateDir(dir: string, count: number): void {
  freshDir(dir);
  for (let i = 1; i <= count; i++) {
    const up = migrationBody(i, count);
    writeFileSync(path.join(dir, `${stem(i, count)}.sql`), `-- migrate:up\n${up}\n-- migrate:down\nDROP TABLE ${tableName(i, count)};\n`);
  }
}

export function writePostgresMigrationsDir(dir: string, count: number): void {
  freshDir(dir);
  for (let i = 1; i <= count; i++) {
    writeFileSync(path.join(dir, `${i}_create_t_${String(i).padStart(width(count), '0')}.sql`), migrationBody(i, count));
  }
}

/** The floor: what psql does with the same SQL, one transaction per migration, one connection. */
export function writeFloorScript(file: string, count: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const parts: string[] = [];
  for (let i = 1; i <= count; i++) parts.push(`BEGIN;\n${migrationBody(i, count)}COMMIT;\n`);
  writeFileSync(file, parts.join(''));
}
