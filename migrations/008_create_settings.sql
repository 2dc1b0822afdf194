-- Key/value settings; secrets are stored encrypted by the application (encrypted_value).
CREATE TABLE archon_settings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key text NOT NULL UNIQUE,
  value text,
  encrypted_value text,
  is_encrypted boolean NOT NULL DEFAULT false,
  category text NOT NULL DEFAULT 'general',
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (is_encrypted = (encrypted_value IS NOT NULL)),
  CHECK (NOT (is_encrypted AND value IS NOT NULL))
);

CREATE TRIGGER archon_settings_updated_at
  BEFORE UPDATE ON archon_settings
  FOR EACH ROW EXECUTE FUNCTION archon_set_updated_at();

INSERT INTO archon_settings (key, value, category, description) VALUES
  ('MAX_CRAWL_DEPTH', '3', 'crawling', 'How many links deep a crawl follows'),
  ('CHUNK_SIZE', '5000', 'rag', 'Characters per stored chunk'),
  ('USE_HYBRID_SEARCH', 'true', 'rag', 'Combine keyword and semantic search');
INSERT INTO archon_settings (key, encrypted_value, is_encrypted, category, description) VALUES
  ('OPENAI_API_KEY', '', true, 'api_keys', 'Set from the settings page; stored encrypted');
