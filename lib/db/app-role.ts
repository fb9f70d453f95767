import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@/lib/log';
import { openDatabase, type DatabaseHandle, type Sql } from './client';
import { runMigrations } from './migrate';

/**
 * The role migration 0003 creates and grants: read and write on every table,
 * but only INSERT and SELECT on audit_log and audit_checkpoints.
 */
export const APP_ROLE = 'pm_app';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const PASSWORD = /^[A-Za-z0-9_-]{16,128}$/;

/** File holding the embedded application role's password, beside the superuser's. */
export function embeddedAppPasswordFile(dataDir: string): string {
  return path.join(dataDir, 'postgres', 'app-password');
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) {
    return fs.readFileSync(file, 'utf8').trim();
  }
  const password = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/** Returns `url` with its user and password replaced. */
export function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/**
 * Makes `role` a login role with `password` that has the application's
 * privileges: pm_app itself, or a role created as a member of pm_app. Runs as
 * a role that may create and alter roles (the embedded superuser).
 */
export async function ensureAppLogin(owner: Sql, options: { role: string; password: string }): Promise<void> {
  if (!ROLE_NAME.test(options.role) || !PASSWORD.test(options.password)) {
    throw new Error('application role name or password has characters outside [A-Za-z0-9_-]');
  }
  const [exists] = await owner<{ ok: boolean }[]>`select exists (select from pg_roles where rolname = ${APP_ROLE}) as ok`;
  if (!exists?.ok) {
    throw new Error(`role ${APP_ROLE} does not exist; the migrating role could not create it, so create it and rerun the grants of drizzle/0003_audit_log_grants.sql`);
  }

  if (options.role !== APP_ROLE) {
    await owner.unsafe(`do $$ begin
      create role ${options.role} login;
    exception when duplicate_object or unique_violation then null;
    end $$`);
    await owner.unsafe(`grant ${APP_ROLE} to ${options.role}`);
  }
  await owner.unsafe(`alter role ${options.role} with login inherit password '${options.password}'`);
}

/** URL of the embedded server for the application role, or null before the server first started. */
export function embeddedAppDatabaseUrl(options: { dataDir: string; port: number }): string | null {
  const file = embeddedAppPasswordFile(options.dataDir);
  if (!fs.existsSync(file)) return null;
  const password = fs.readFileSync(file, 'utf8').trim();
  return `postgres://${APP_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;
}

/** True when the connected role can change or remove audit rows, which only the owner should. */
export async function canRewriteAuditLog(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ rewrite: boolean }[]>`
    select has_table_privilege(current_user, 'audit_log', 'UPDATE')
      or has_table_privilege(current_user, 'audit_log', 'DELETE')
      or has_table_privilege(current_user, 'audit_log', 'TRUNCATE') as rewrite`;
  return row?.rewrite ?? true;
}

/**
 * Runs the migrations as the database owner, then opens the pool that the
 * process uses for all normal work, connected as the restricted application
 * role. For the embedded server that is pm_app, with a generated password
 * stored with mode 0600 under the data directory. For an external server it
 * is `appUrl` (database.app_url or PM_DATABASE_APP_URL). Without an `appUrl`
 * the owner URL is used and a warning is logged, because then audit rows can
 * be rewritten through the application's own connection.
 */
export async function openAppDatabase(options: {
  ownerUrl: string;
  appUrl: string | null;
  /** The data directory when the database is the embedded server, else null. */
  embeddedDataDir: string | null;
  migrationsFolder: string;
  log: Logger;
  max: number;
  applicationName: string;
}): Promise<{ database: DatabaseHandle; appUrl: string }> {
  // Two connections: runMigrations holds one for its advisory lock while the migrator uses the other.
  const owner = openDatabase(options.ownerUrl, { max: 2, applicationName: `${options.applicationName}-migrate` });
  let appUrl: string;
  try {
    await runMigrations(owner, options.migrationsFolder);
    options.log.info('database migrations applied');

    if (options.embeddedDataDir) {
      const password = readOrCreatePassword(embeddedAppPasswordFile(options.embeddedDataDir));
      await ensureAppLogin(owner.sql, { role: APP_ROLE, password });
      appUrl = withCredentials(options.ownerUrl, APP_ROLE, password);
    } else if (options.appUrl) {
      appUrl = options.appUrl;
    } else {
      options.log.warn(
        'database.app_url (PM_DATABASE_APP_URL) is not set, so the application connects as the database owner and ' +
          `could update or delete audit rows; create a login role that is a member of ${APP_ROLE} and set database.app_url`,
      );
      appUrl = options.ownerUrl;
    }
  } finally {
    await owner.close();
  }

  const database = openDatabase(appUrl, { max: options.max, applicationName: options.applicationName });
  if (appUrl !== options.ownerUrl && (await canRewriteAuditLog(database.sql))) {
    options.log.warn('the application database role can update or delete audit rows; revoke UPDATE, DELETE and TRUNCATE on audit_log from it');
  }
  return { database, appUrl };
}

/**
 * Picks the application-role URL for a process that does not run migrations
 * (the worker, the CLI): `appUrl` when set, else the embedded pm_app URL when
 * the embedded server is in use, else the owner URL with `restricted: false`.
 */
export function resolveAppDatabaseUrl(options: {
  ownerUrl: string | null;
  appUrl: string | null;
  dataDir: string;
  embeddedPort: number;
}): { url: string; restricted: boolean } | null {
  if (options.appUrl) return { url: options.appUrl, restricted: true };
  if (!options.ownerUrl) {
    const embedded = embeddedAppDatabaseUrl({ dataDir: options.dataDir, port: options.embeddedPort });
    return embedded ? { url: embedded, restricted: true } : null;
  }
  return { url: options.ownerUrl, restricted: false };
}
