-- Projects group tasks and the documents and sources they rely on.
CREATE TABLE archon_projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL CHECK (length(title) > 0),
  description text NOT NULL DEFAULT '',
  docs jsonb NOT NULL DEFAULT '[]'::jsonb,
  features jsonb NOT NULL DEFAULT '[]'::jsonb,
  data jsonb NOT NULL DEFAULT '[]'::jsonb,
  github_repo text,
  pinned boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER archon_projects_updated_at
  BEFORE UPDATE ON archon_projects
  FOR EACH ROW EXECUTE FUNCTION archon_set_updated_at();

CREATE TABLE archon_project_sources (
  project_id uuid NOT NULL REFERENCES archon_projects (id) ON DELETE CASCADE,
  source_id text NOT NULL REFERENCES archon_sources (source_id) ON DELETE CASCADE,
  linked_at timestamptz NOT NULL DEFAULT now(),
  notes text,
  PRIMARY KEY (project_id, source_id)
);
