DROP TABLE archon_settings;
