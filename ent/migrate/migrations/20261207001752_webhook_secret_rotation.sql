-- Modify "webhooks" table
ALTER TABLE "webhooks" ADD COLUMN "previous_secret" character varying NULL, ADD COLUMN "previous_secret_expires_at" timestamptz NULL;
