-- Tasks of a project: a kanban status and a manual order within each status column.
CREATE TYPE archon_task_status AS ENUM ('todo', 'doing', 'review', 'done');

CREATE TABLE archon_tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid REFERENCES archon_projects (id) ON DELETE CASCADE,
  parent_task_id uuid REFERENCES archon_tasks (id) ON DELETE CASCADE,
  title text NOT NULL CHECK (length(title) > 0),
  description text NOT NULL DEFAULT '',
  status archon_task_status NOT NULL DEFAULT 'todo',
  assignee text NOT NULL DEFAULT 'User',
  task_order integer NOT NULL DEFAULT 0,
  feature text,
  sources jsonb NOT NULL DEFAULT '[]'::jsonb,
  code_examples jsonb NOT NULL DEFAULT '[]'::jsonb,
  archived boolean NOT NULL DEFAULT false,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (archived = (archived_at IS NOT NULL))
);

CREATE TRIGGER archon_tasks_updated_at
  BEFORE UPDATE ON archon_tasks
  FOR EACH ROW EXECUTE FUNCTION archon_set_updated_at();
