-- archon-migrate: no-transaction
DROP INDEX CONCURRENTLY IF EXISTS archon_code_examples_source_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS archon_crawled_pages_metadata_idx;
DROP INDEX CONCURRENTLY IF EXISTS archon_crawled_pages_source_id_idx;
