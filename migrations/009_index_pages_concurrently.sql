-- archon-migrate: no-transaction
-- Built without blocking writes to the page tables, which may already hold many rows.
CREATE INDEX CONCURRENTLY IF NOT EXISTS archon_crawled_pages_source_id_idx
  ON archon_crawled_pages (source_id);

CREATE INDEX CONCURRENTLY IF NOT EXISTS archon_crawled_pages_metadata_idx
  ON archon_crawled_pages USING gin (metadata jsonb_path_ops);

CREATE INDEX CONCURRENTLY IF NOT EXISTS archon_code_examples_source_id_idx
  ON archon_code_examples (source_id);
