import path from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { DatabaseHandle } from './client';

/** Advisory lock key that serialises migrations between processes started together. */
const MIGRATION_LOCK = 7_301_114;

/** Applies the committed drizzle-kit migrations under an advisory lock. */
export async function runMigrations(handle: DatabaseHandle, migrationsFolder = path.resolve('drizzle')): Promise<void> {
  const reserved = await handle.sql.reserve();
  try {
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(handle.db, { migrationsFolder });
  } finally {
    await reserved`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    reserved.release();
  }
}
