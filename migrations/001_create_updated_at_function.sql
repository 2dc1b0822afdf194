-- Keeps updated_at current on every UPDATE; the tables below attach it as a trigger.
CREATE OR REPLACE FUNCTION archon_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
