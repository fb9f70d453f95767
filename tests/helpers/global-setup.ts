import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

let embedded: ChildProcess | undefined;

let tempDir: string | undefined;

/**
 * Starts one PostgreSQL server for the whole run: DATABASE_URL when set, else an
 * embedded server in a temporary directory. Each test file makes its own database.
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.DATABASE_URL) {
    project.provide('databaseUrl', process.env.DATABASE_URL);
    return;
  }

  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-test-db-'));
  fs.chmodSync(tempDir, 0o755);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'embedded-postgres-process.ts'), tempDir, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  embedded = child;
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((text) => text.startsWith('{"url"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code} before it started`)));
  });
  project.provide('databaseUrl', url);
}

export async function teardown(): Promise<void> {
  if (embedded && embedded.exitCode === null) {
    const exited = new Promise((resolve) => embedded!.once('exit', resolve));
    embedded.kill('SIGTERM');
    await exited;
  }
  if (tempDir) {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}
