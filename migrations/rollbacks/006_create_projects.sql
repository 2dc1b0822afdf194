DROP TABLE archon_project_sources;
DROP TABLE archon_projects;
