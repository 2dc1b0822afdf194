// Migration folders in each tool's real layout, written here from the tools' documented formats
// (file names, up/down markers, no-transaction markers), all building the same small knowledge
// base schema in four or five steps. `applied` is how many of them the tool itself applies
// before the import; the rest are pending.
const SOURCES = `CREATE TABLE sources (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);`;
const DOCUMENTS = `CREATE TABLE documents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_id bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  title text NOT NULL,
  body text
);`;
const TITLE_INDEX = 'CREATE INDEX documents_title_idx ON documents (title);';
const TITLE_INDEX_CONCURRENTLY = 'CREATE INDEX CONCURRENTLY documents_title_idx ON documents (title);';
const TAGS = "ALTER TABLE documents ADD COLUMN tags text[] NOT NULL DEFAULT '{}';";
const TAGS_INDEX_CONCURRENTLY = 'CREATE INDEX CONCURRENTLY documents_tags_idx ON documents USING gin (tags);';

export interface ToolFixture {
  /** their folder, relative to the project root */
  dir: string;
  files: Record<string, string>;
  /** files (in order) the tool applies before the import; the others are added after it ran */
  applied: string[];
  /** our file names after the import, in order */
  ours: string[];
}

export const golangMigrate: ToolFixture = {
  dir: 'db/migrations',
  files: {
    '000001_create_sources.up.sql': `BEGIN;\n${SOURCES}\nCOMMIT;\n`,
    '000001_create_sources.down.sql': 'DROP TABLE sources;\n',
    '000002_create-documents.up.sql': `${DOCUMENTS}\n`,
    '000002_create-documents.down.sql': 'DROP TABLE documents;\n',
    '000003_Documents_Title_Index.up.sql': `${TITLE_INDEX}\n`,
    '000003_Documents_Title_Index.down.sql': '',
    '000004_add_tags.up.sql': `${TAGS}\n`,
    '000004_add_tags.down.sql': 'ALTER TABLE documents DROP COLUMN tags;\n',
    'README.md': 'Run with migrate -path db/migrations up\n',
  },
  applied: ['000001_create_sources.up.sql', '000002_create-documents.up.sql'],
  ours: ['000001_create_sources.sql', '000002_create_documents.sql', '000003_documents_title_index.sql', '000004_add_tags.sql'],
};

const dbmateFile = (up: string, down: string, options = ''): string => `-- migrate:up${options}\n${up}\n\n-- migrate:down${options}\n${down}\n`;

export const dbmate: ToolFixture = {
  dir: 'db/migrations',
  files: {
    '20240101100000_create_sources.sql': dbmateFile(SOURCES, 'DROP TABLE sources;'),
    '20240101110000_create_documents.sql': dbmateFile(DOCUMENTS, 'DROP TABLE documents;'),
    '20240102090000_documents_title_index.sql': dbmateFile(TITLE_INDEX_CONCURRENTLY, 'DROP INDEX CONCURRENTLY documents_title_idx;', ' transaction:false'),
    '20240102100000_add_tags.sql': dbmateFile(TAGS, 'ALTER TABLE documents DROP COLUMN tags;'),
    '20240102110000_documents_tags_index.sql': dbmateFile(TAGS_INDEX_CONCURRENTLY, 'DROP INDEX CONCURRENTLY documents_tags_idx;', ' transaction:false'),
  },
  applied: ['20240101100000_create_sources.sql', '20240101110000_create_documents.sql', '20240102090000_documents_title_index.sql'],
  ours: ['20240101100000_create_sources.sql', '20240101110000_create_documents.sql', '20240102090000_documents_title_index.sql', '20240102100000_add_tags.sql', '20240102110000_documents_tags_index.sql'],
};

const npmFile = (up: string, down: string): string => `-- Up Migration\n${up}\n\n-- Down Migration\n${down}\n`;

export const nodePgMigrate: ToolFixture = {
  dir: 'migrations-npm',
  files: {
    '1700000000000_create-sources.sql': npmFile(SOURCES, 'DROP TABLE sources;'),
    '1700000000001_create-documents.sql': npmFile(DOCUMENTS, 'DROP TABLE documents;'),
    '1700000000002_documents-title-index.sql': npmFile(TITLE_INDEX, 'DROP INDEX documents_title_idx;'),
    '1700000000003_add-tags.sql': `-- Up Migration\n${TAGS}\n`,
  },
  applied: ['1700000000000_create-sources.sql', '1700000000001_create-documents.sql'],
  ours: ['1700000000000_create_sources.sql', '1700000000001_create_documents.sql', '1700000000002_documents_title_index.sql', '1700000000003_add_tags.sql'],
};

export const postgresMigrations: ToolFixture = {
  dir: 'sql',
  files: {
    '1_create-sources.sql': `${SOURCES}\n`,
    '2_create-documents.sql': `-- documents belong to a source\n${DOCUMENTS}\n`,
    '3_documents-title-index.sql': `-- postgres-migrations disable-transaction\n${TITLE_INDEX_CONCURRENTLY}\n`,
    '4_add-tags.sql': `${TAGS}\n`,
  },
  applied: ['1_create-sources.sql', '2_create-documents.sql', '3_documents-title-index.sql'],
  ours: ['1_create_sources.sql', '2_create_documents.sql', '3_documents_title_index.sql', '4_add_tags.sql'],
};

export const flyway: ToolFixture = {
  dir: 'sql',
  files: {
    'v1/V1__Create_sources.sql': `${SOURCES}\n`,
    'v1/V1.1__Create documents.sql': `${DOCUMENTS}\n`,
    'v1/U1.1__Create documents.sql': 'DROP TABLE documents;\n',
    'v1/V1.2__documents_title_index.sql': `${TITLE_INDEX}\n`,
    'v2/V2__add_tags.sql': `${TAGS}\n`,
    'v2/V2_1__tags_index.sql': `${TAGS_INDEX_CONCURRENTLY}\n`,
    'v2/V2_1__tags_index.sql.conf': 'executeInTransaction=false\n',
  },
  applied: ['v1/V1__Create_sources.sql', 'v1/V1.1__Create documents.sql'],
  ours: ['10_create_sources.sql', '11_create_documents.sql', '12_documents_title_index.sql', '20_add_tags.sql', '21_tags_index.sql'],
};

export const supabase: ToolFixture = {
  dir: 'supabase/migrations',
  files: {
    '20240101100000_create_sources.sql': `${SOURCES}\n`,
    '20240101110000_create-documents.sql': `${DOCUMENTS}\n`,
    '20240102090000_documents_title_index.sql': `${TITLE_INDEX}\n`,
    '20240102100000_add_tags.sql': `${TAGS}\n`,
  },
  applied: ['20240101100000_create_sources.sql', '20240101110000_create-documents.sql'],
  ours: ['20240101100000_create_sources.sql', '20240101110000_create_documents.sql', '20240102090000_documents_title_index.sql', '20240102100000_add_tags.sql'],
};

/** Each tool's history table, created as the tool creates it. */
export const HISTORY_DDL = {
  golangMigrate: 'CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)',
  flyway: `CREATE TABLE flyway_schema_history (
  installed_rank integer NOT NULL, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL,
  script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL,
  installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL,
  CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank))`,
  supabase: [
    'CREATE SCHEMA IF NOT EXISTS supabase_migrations',
    'CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY)',
    'ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]',
    'ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text',
  ].join(';\n'),
} as const;
