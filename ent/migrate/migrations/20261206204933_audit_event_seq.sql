-- Modify "audit_events" table
ALTER TABLE "audit_events" ADD COLUMN "seq" bigint NULL;
-- Create index "auditevent_seq" to table: "audit_events"
CREATE UNIQUE INDEX "auditevent_seq" ON "audit_events" ("seq");
-- Create index "auditevent_unnumbered" to table: "audit_events"
CREATE INDEX "auditevent_unnumbered" ON "audit_events" ("id") WHERE (seq IS NULL);
