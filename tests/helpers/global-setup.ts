import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '@/lib/db/embedded';
import { getLogger } from '@/lib/log';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;

/** Builds the web console once per run when the build is missing or stale, for the server tests. */
function buildConsole(): void {
  const script = path.resolve(import.meta.dirname, '..', '..', 'scripts', 'build-console.mjs');
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error('next build failed; see the output above');
  }
}
let tempDir: string | undefined;

/**
 * Starts one PostgreSQL server for the whole run: DATABASE_URL when set, else an
 * embedded server in a temporary directory. Each test file makes its own database.
 */
export async function setup(project: TestProject): Promise<void> {
  buildConsole();

  if (process.env.DATABASE_URL) {
    project.provide('databaseUrl', process.env.DATABASE_URL);
    return;
  }

  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-test-db-'));
  fs.chmodSync(tempDir, 0o755);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  embedded = await startEmbeddedPostgres({ dataDir: tempDir, port, log: getLogger({ level: 'warn' }) });
  project.provide('databaseUrl', embedded.url);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (tempDir) {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}
