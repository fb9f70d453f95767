-- The application role pm_app gets read and write access to every table in the
-- public schema, except that audit_log and audit_checkpoints are insert and
-- read only: no UPDATE, DELETE or TRUNCATE. Migrations run as the owner; the
-- server, worker and CLI connect as pm_app or as a login role that is a member
-- of it. When the migrating role may not create roles (a managed database), the
-- role is skipped with a notice and an administrator creates it and runs these
-- grants by hand (see lib/audit/README.md).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pm_app') THEN
    BEGIN
      CREATE ROLE pm_app NOLOGIN;
    EXCEPTION
      -- Another database of the same cluster created it at the same moment.
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'role pm_app was not created because the migrating role lacks CREATEROLE; create it and grant its privileges by hand';
    END;
  END IF;

  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'pm_app') THEN
    GRANT USAGE ON SCHEMA public TO pm_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO pm_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO pm_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_checkpoints FROM pm_app;
    -- Tables that later migrations create get the same read and write grants.
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO pm_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO pm_app;
  END IF;
END
$$;
--> statement-breakpoint
REVOKE ALL ON audit_log, audit_checkpoints FROM PUBLIC;
