-- One row per page (not per chunk): the full text and what the crawler learned about it.
CREATE TABLE archon_page_metadata (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  source_id text NOT NULL REFERENCES archon_sources (source_id) ON DELETE CASCADE,
  url text NOT NULL UNIQUE,
  section_title text,
  full_content text NOT NULL DEFAULT '',
  word_count integer NOT NULL DEFAULT 0,
  char_count integer NOT NULL DEFAULT 0,
  chunk_count integer NOT NULL DEFAULT 0,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER archon_page_metadata_updated_at
  BEFORE UPDATE ON archon_page_metadata
  FOR EACH ROW EXECUTE FUNCTION archon_set_updated_at();

ALTER TABLE archon_crawled_pages
  ADD COLUMN page_id uuid REFERENCES archon_page_metadata (id) ON DELETE SET NULL;
