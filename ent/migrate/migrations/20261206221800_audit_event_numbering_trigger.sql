-- Audit events are numbered in commit order (seq) by PostgreSQL itself, at
-- COMMIT: a deferred constraint trigger takes the numbering lock, numbers the
-- transaction's events after the highest seq committed, and notifies the
-- listening server processes, all inside the COMMIT, so that the lock every
-- committing writer waits for is held across no client round trip
-- (internal/live). Each row's trigger runs; the first numbers them all.
CREATE FUNCTION "audit_events_number"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('bri-tracker audit seq ' || current_schema()));
  UPDATE audit_events AS a SET seq = n.base + n.rn
  FROM (SELECT u.id, ROW_NUMBER() OVER (ORDER BY u.id) AS rn, m.base
        FROM audit_events AS u, (SELECT COALESCE(MAX(seq), 0) AS base FROM audit_events) AS m
        WHERE u.seq IS NULL) AS n
  WHERE a.id = n.id;
  IF FOUND THEN
    PERFORM pg_notify('bri_audit', current_schema());
  END IF;
  RETURN NULL;
END
$$;
-- Create trigger "audit_events_number" on table: "audit_events"
CREATE CONSTRAINT TRIGGER "audit_events_number" AFTER INSERT ON "audit_events"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "audit_events_number"();
