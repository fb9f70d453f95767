// Runs only the fleet benchmark and prints a table and one JSON document. Usage:
//   npx tsx tests/bench/fleet/main.ts
// Settings come from BENCH_FLEET_* variables (see fleet-options.ts). It uses DATABASE_URL
// when set (creating and dropping a scratch database), else an embedded PostgreSQL in a
// temporary directory. The console is built first when its build is missing or stale.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '@/lib/db/embedded';
import { getLogger } from '@/lib/log';
import { FLEET_USAGE, readFleetOptions } from './fleet-options';
import { formatFleetTable } from './fleet-table';
import { runFleetBenchmark } from './run-fleet';

let options;
try {
  options = readFleetOptions();
} catch (error) {
  console.error(`${(error as Error).message}\nSettings:\n${FLEET_USAGE}`);
  process.exit(2);
}

let embedded: EmbeddedDatabase | null = null;
let tempDir: string | null = null;
let serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-bench-fleet-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  embedded = await startEmbeddedPostgres({ dataDir: tempDir, port, log: getLogger({ level: 'warn' }) });
  serverUrl = embedded.url;
}

try {
  const started = Date.now();
  const results = await runFleetBenchmark(serverUrl, options, (line) => console.log(`[${Math.round((Date.now() - started) / 1000)} s] ${line}`));
  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  console.log(`\n${formatFleetTable(results as Record<string, Record<string, unknown>>)}`);
  console.log(`\n${JSON.stringify({ machine, fleet: results }, null, 2)}`);
} finally {
  await embedded?.stop();
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
}
