/**
 * Flyway SQL migrations: `V<version>__<description>.sql` (versioned), `U<version>__….sql` (undo:
 * our rollback), anywhere under the location (Flyway scans sub-folders); a `<script>.conf` beside
 * a script with `executeInTransaction=false` runs it outside a transaction. Repeatable (`R__`)
 * and baseline (`B<version>__`) migrations have no equivalent here and refuse the import, as do
 * `${placeholders}` (Flyway substitutes them; archon-migrate runs files as written).
 * History: `flyway_schema_history(installed_rank, version, description, type, script, checksum,
 * installed_by, installed_on, execution_time, success)`.
 */
import { decodeMigration } from '../migration-source.js';
import type { Conversion, HistoryVerdict, IgnoredFile, SourceFile } from './converted-migration.js';
import { emptyVerdict } from './converted-migration.js';
import { notUtf8ImportMessage } from './dbmate.js';
import { finishConversion, type Draft } from './finish-conversion.js';
import { compareFlywayVersions, mapFlywayVersions, parseFlywayVersion, type FlywayVersion } from './flyway-version.js';
import { withOurNoTransaction } from './no-transaction-marker.js';

const NAME = /^([A-Z])(.*?)__(.*)\.sql$/;
const PLACEHOLDER = /\$\{([^}\s]+)\}/;
const NO_TRANSACTION_CONF = /^\s*executeInTransaction\s*=\s*false\s*$/m;

export function repeatableMessage(file: string): string {
  return `${file}: a Flyway repeatable migration (R__); archon-migrate has no repeatable migrations: make it a versioned V<next>__ file (it then runs once) or remove it before importing`;
}

export function baselineMigrationMessage(file: string): string {
  return `${file}: a Flyway baseline migration (B<version>__); import the versioned V files it stands for instead, or remove it before importing`;
}

export function badFlywayVersionMessage(file: string, version: string): string {
  return `${file}: its Flyway version ${JSON.stringify(version)} is not numbers separated by . or _; rename it before importing`;
}

export function placeholderMessage(file: string, name: string): string {
  return `${file} uses the Flyway placeholder \${${name}}; archon-migrate runs files as written: replace it with its value before importing`;
}

export function undoWithoutVersionMessage(file: string): string {
  return `${file}: an undo migration for a version that has no V migration; remove it or add the V file before importing`;
}

const encoder = new TextEncoder();
const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

interface Script {
  file: SourceFile;
  kind: 'V' | 'U';
  version: FlywayVersion;
  description: string;
}

function scripts(files: readonly SourceFile[], ignored: IgnoredFile[], problems: string[]): Script[] {
  const found: Script[] = [];
  for (const f of files) {
    const m = NAME.exec(base(f.path));
    if (!m || !['V', 'U', 'R', 'B'].includes(m[1]!)) {
      if (!f.path.endsWith('.conf')) ignored.push({ path: f.path, reason: 'not named V<version>__<description>.sql or U…: Flyway does not run it as a SQL migration' });
      continue;
    }
    const [, kind, written, description] = m as unknown as [string, string, string, string];
    if (kind === 'R') problems.push(repeatableMessage(f.path));
    else if (kind === 'B') problems.push(baselineMigrationMessage(f.path));
    else {
      const version = parseFlywayVersion(written);
      if (version === undefined) problems.push(badFlywayVersionMessage(f.path, written));
      else found.push({ file: f, kind: kind as 'V' | 'U', version, description });
    }
  }
  return found.sort((a, b) => compareFlywayVersions(a.version, b.version));
}

function text(script: Script, conf: SourceFile | undefined, notes: string[], problems: string[]): Uint8Array | undefined {
  const sql = decodeMigration(script.file.bytes);
  if (sql === undefined) {
    problems.push(notUtf8ImportMessage(script.file.path));
    return undefined;
  }
  const placeholder = PLACEHOLDER.exec(sql);
  if (placeholder) problems.push(placeholderMessage(script.file.path, placeholder[1]!));
  const confText = conf === undefined ? undefined : decodeMigration(conf.bytes);
  if (confText === undefined || !NO_TRANSACTION_CONF.test(confText)) return script.file.bytes;
  notes.push(`${conf!.path}: executeInTransaction=false turned into -- archon-migrate: no-transaction`);
  return encoder.encode(withOurNoTransaction(sql));
}

export function convertFlyway(files: readonly SourceFile[]): Conversion {
  const ignored: IgnoredFile[] = [];
  const problems: string[] = [];
  const byPath = new Map(files.map((f) => [f.path, f]));
  const found = scripts(files, ignored, problems);
  const versioned = found.filter((s) => s.kind === 'V');
  const ours = mapFlywayVersions(versioned.map((s) => s.version));
  const undo = new Map(found.filter((s) => s.kind === 'U').map((s) => [s.version.key, s]));
  for (const u of undo.values()) if (!versioned.some((v) => v.version.key === u.version.key)) problems.push(undoWithoutVersionMessage(u.file.path));
  const drafts: Draft[] = [];
  versioned.forEach((script, i) => {
    const notes: string[] = [];
    const content = text(script, byPath.get(`${script.file.path}.conf`), notes, problems);
    const rollback = undo.get(script.version.key);
    if (content === undefined) return;
    const sources = [script.file.path, ...[`${script.file.path}.conf`, rollback?.file.path, rollback && `${rollback.file.path}.conf`].filter((p): p is string => p !== undefined && byPath.has(p))];
    const rollbackContent = rollback === undefined ? undefined : text(rollback, byPath.get(`${rollback.file.path}.conf`), [], problems);
    if (script.version.written !== ours[i]) notes.push(`Flyway version ${script.version.written} → ${ours[i]}`);
    drafts.push({
      version: ours[i]!, rawName: script.description, source: script.file.path, sources, content,
      ...(rollbackContent === undefined ? {} : { rollback: rollbackContent }),
      ref: script.version.key, notes,
    });
  });
  return finishConversion('Flyway', drafts, ignored, problems);
}

export interface FlywayRow {
  rank: number;
  version: string | null;
  type: string;
  script: string;
  success: boolean;
  installedOn: Date | null;
}

export function failedFlywayRowMessage(script: string, version: string, rank: number): string {
  return `flyway_schema_history records ${script} (version ${version}, installed_rank ${rank}) as failed (success = false): what it changed is unknown; finish or undo it by hand, run \`flyway repair\`, then import again`;
}

/** The versions their history leaves applied (in rank order, an undo or a delete unapplies). */
export function flywayHistory(rows: readonly FlywayRow[], refs: readonly string[]): HistoryVerdict {
  const verdict = emptyVerdict();
  let baseline: FlywayVersion | undefined;
  const applied = new Map<string, Date | null>();
  for (const row of [...rows].sort((a, b) => a.rank - b.rank)) {
    if (row.type === 'SCHEMA' || row.version === null) continue;
    const version = parseFlywayVersion(row.version.trim());
    if (version === undefined) continue;
    if (!row.success) {
      verdict.problems.push(failedFlywayRowMessage(row.script, row.version, row.rank));
      continue;
    }
    if (row.type === 'BASELINE') baseline = baseline && compareFlywayVersions(baseline, version) > 0 ? baseline : version;
    else if (row.type.startsWith('UNDO') || row.type === 'DELETE') applied.delete(version.key);
    else applied.set(version.key, row.installedOn);
  }
  for (const ref of refs) {
    const below = baseline !== undefined && compareFlywayVersions(parseFlywayVersion(ref)!, baseline) <= 0;
    if (below || applied.has(ref)) verdict.applied.add(ref);
    const at = applied.get(ref);
    if (at) verdict.appliedAt.set(ref, at);
  }
  for (const key of applied.keys()) if (!refs.includes(key)) verdict.unknown.push(key);
  return verdict;
}
