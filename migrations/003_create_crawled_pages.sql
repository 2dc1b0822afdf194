-- Chunks of crawled pages, in crawl order per URL.
CREATE TABLE archon_crawled_pages (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url text NOT NULL,
  chunk_number integer NOT NULL,
  content text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  source_id text NOT NULL REFERENCES archon_sources (source_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (url, chunk_number)
);
