/**
 * What `import` needs to know of one tool: where its folder and table usually are, how to convert
 * its folder (core), and how to read and judge its history table (here, over the database seam).
 */
import type { Conversion, HistoryVerdict, ImportTool, SourceFile } from '../../core/import/converted-migration.js';
import type { Queryable } from '../../db/database.js';
import type { HistoryTable } from './history-table.js';

export interface ImportSource {
  tool: ImportTool;
  /** how messages name it */
  label: string;
  /** relative to the project root */
  defaultDir: string;
  defaultTable: string;
  /** Flyway scans sub-folders */
  recursive: boolean;
  convert(files: readonly SourceFile[]): Conversion;
  /** Columns their table must have; a missing one refuses the import. */
  columns: readonly string[];
  /** Reads their (existing, well-shaped) table and judges it against the converted folder. */
  history(db: Queryable, table: HistoryTable, conversion: Conversion, files: readonly SourceFile[]): Promise<HistoryVerdict>;
  /** Our version of a ref, when it can be told without its file. */
  refVersion(ref: string): string | undefined;
}
