import crypto from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { ensureAppLogin, withCredentials } from '@/lib/db/app-role';
import { openDatabase, type DatabaseHandle } from '@/lib/db/client';
import { runMigrations } from '@/lib/db/migrate';

/** A pool connected as a login role with the application's restricted privileges. */
export interface AppRoleConnection extends DatabaseHandle {
  url: string;
  role: string;
}

export interface TestDatabase extends DatabaseHandle {
  url: string;
  name: string;
  /** Connection as the application role; null unless created with `appRole: true`. */
  app: AppRoleConnection | null;
  /** Closes the pools and drops the database (and its application login role). */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, migrated database for one test file on the run's PostgreSQL
 * server, connected as the owner. With `appRole`, it also creates a login role
 * that is a member of pm_app, as the server's application connection is, and
 * opens `app` with it. Roles are shared by the whole server, so each test
 * database gets its own login role.
 */
export async function createTestDatabase(options: { appRole?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('databaseUrl');
  const name = `pm_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = openDatabase(url.toString(), { max: 5, applicationName: 'pm-test' });
  await runMigrations(handle);

  let app: AppRoleConnection | null = null;
  if (options.appRole) {
    const role = `${name}_app`;
    const password = crypto.randomBytes(18).toString('base64url');
    await ensureAppLogin(handle.sql, { role, password });
    const appUrl = withCredentials(url.toString(), role, password);
    app = { ...openDatabase(appUrl, { max: 5, applicationName: 'pm-test-app' }), url: appUrl, role };
  }

  return {
    ...handle,
    url: url.toString(),
    name,
    app,
    async drop() {
      await app?.close();
      await handle.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      if (app) await cleanup.unsafe(`drop role if exists ${app.role}`);
      await cleanup.end();
    },
  };
}
