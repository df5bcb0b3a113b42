-- Indexes the ent schema does not declare (store.ExtraIndexes).
-- The search indexes need pg_trgm; a superuser must allow it once.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
-- Trigram indexes on the search text of partners, projects and policies
CREATE INDEX IF NOT EXISTS "partners_search_text_trgm" ON "partners" USING gin ("search_text" public.gin_trgm_ops);
CREATE INDEX IF NOT EXISTS "projects_search_text_trgm" ON "projects" USING gin ("search_text" public.gin_trgm_ops);
CREATE INDEX IF NOT EXISTS "policies_search_text_trgm" ON "policies" USING gin ("search_text" public.gin_trgm_ops);
-- The link tables read from their second column, in the other side's order
CREATE INDEX IF NOT EXISTS "opening_policy_projects_project_id_policy" ON "opening_policy_projects" ("project_id", "opening_policy_id");
CREATE INDEX IF NOT EXISTS "opening_policy_partners_partner_id_policy" ON "opening_policy_partners" ("partner_id", "opening_policy_id");
