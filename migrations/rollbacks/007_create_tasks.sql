DROP TABLE archon_tasks;
DROP TYPE archon_task_status;
