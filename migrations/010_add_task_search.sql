-- archon-migrate: lock-timeout=5s
-- Full-text search over tasks, and the index behind the kanban board's ordering.
ALTER TABLE archon_tasks
  ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', coalesce(title, '') || ' ' || coalesce(description, ''))
  ) STORED;

CREATE INDEX archon_tasks_search_idx ON archon_tasks USING gin (search);
CREATE INDEX archon_tasks_board_idx ON archon_tasks (project_id, status, task_order) WHERE NOT archived;
