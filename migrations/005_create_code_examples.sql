-- Code blocks extracted from crawled pages, with a generated summary.
CREATE TABLE archon_code_examples (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url text NOT NULL,
  chunk_number integer NOT NULL,
  content text NOT NULL,
  summary text NOT NULL DEFAULT '',
  language text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  source_id text NOT NULL REFERENCES archon_sources (source_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (url, chunk_number)
);
