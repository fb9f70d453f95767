// Runs the benchmarks and prints tables and one JSON document. Usage:
//   npx tsx tests/bench/run.ts            (BENCH_AUDIT_ROWS sets the chain length, default 1000000)
// The fleet benchmark (tests/bench/fleet) runs after the audit benchmark unless
// BENCH_FLEET=0; BENCH_FLEET_* variables set its size (see tests/bench/fleet/fleet-options.ts).
// It uses DATABASE_URL when set (creating and dropping a scratch database),
// else an embedded PostgreSQL in a temporary directory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase } from '@/lib/db/client';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '@/lib/db/embedded';
import { runMigrations } from '@/lib/db/migrate';
import { getLogger } from '@/lib/log';
import { runAuditVerifyBenchmark } from './audit-verify';
import { FLEET_USAGE, readFleetOptions, type FleetOptions } from './fleet/fleet-options';
import { formatFleetTable } from './fleet/fleet-table';
import { runFleetBenchmark } from './fleet/run-fleet';

const rows = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
if (!Number.isSafeInteger(rows) || rows < 1) {
  console.error(`BENCH_AUDIT_ROWS: expected a positive whole number, got ${process.env.BENCH_AUDIT_ROWS}`);
  process.exit(2);
}

let fleetOptions: FleetOptions | null = null;
if (process.env.BENCH_FLEET !== '0') {
  try {
    fleetOptions = readFleetOptions();
  } catch (error) {
    console.error(`${(error as Error).message}\nSettings:\n${FLEET_USAGE}`);
    process.exit(2);
  }
}

let embedded: EmbeddedDatabase | null = null;
let tempDir: string | null = null;
let serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-bench-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  embedded = await startEmbeddedPostgres({ dataDir: tempDir, port, log: getLogger({ level: 'warn' }) });
  serverUrl = embedded.url;
}

const name = `pm_bench_${crypto.randomBytes(4).toString('hex')}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const database = openDatabase(url.toString(), { max: 2, applicationName: 'pm-bench' });

try {
  await runMigrations(database);
  const results = await runAuditVerifyBenchmark(database, { rows, batchSizes: [5000, 20_000] });

  console.log('\nbenchmark                  rows       batch   load s   verify s   rows/s     intact');
  for (const result of results) {
    console.log(
      [
        result.name.padEnd(26),
        String(result.rows).padEnd(10),
        String(result.batchSize).padEnd(7),
        String(result.loadSeconds).padEnd(8),
        String(result.verifySeconds).padEnd(10),
        String(result.rowsPerSecond).padEnd(10),
        String(result.integrity),
      ].join(' '),
    );
  }
  let fleet: Record<string, unknown> | null = null;
  if (fleetOptions) {
    const started = Date.now();
    fleet = await runFleetBenchmark(serverUrl, fleetOptions, (line) => console.log(`fleet [${Math.round((Date.now() - started) / 1000)} s] ${line}`));
    console.log(`\n${formatFleetTable(fleet as Record<string, Record<string, unknown>>)}`);
  }
  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version };
  console.log(`\n${JSON.stringify({ machine, results, fleet }, null, 2)}`);
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
  await embedded?.stop();
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
}
