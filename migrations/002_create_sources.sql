-- A crawled site or an uploaded document set: everything else hangs off a source.
CREATE TABLE archon_sources (
  source_id text PRIMARY KEY,
  source_url text,
  source_display_name text,
  summary text,
  total_word_count integer NOT NULL DEFAULT 0,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER archon_sources_updated_at
  BEFORE UPDATE ON archon_sources
  FOR EACH ROW EXECUTE FUNCTION archon_set_updated_at();
