DROP INDEX archon_tasks_board_idx;
DROP INDEX archon_tasks_search_idx;
ALTER TABLE archon_tasks DROP COLUMN search;
