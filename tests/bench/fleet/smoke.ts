// Runs the fleet benchmark with 20 agents and checks that every phase worked, not how fast.
// Not part of `npm test` (starting the server twice takes more than 20 s). Usage:
//   npx tsx tests/bench/fleet/smoke.ts
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { getLogger } from '@/lib/log';
import { runFleetBenchmark } from './run-fleet';

const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-bench-fleet-smoke-'));
const embedded = await startEmbeddedPostgres({ dataDir: tempDir, port: 20_000 + Math.floor(Math.random() * 20_000), log: getLogger({ level: 'warn' }) });
try {
  const results = (await runFleetBenchmark(
    embedded.url,
    { agents: 20, concurrency: 4, connectRate: 0, seconds: 1, ingests: 10, packages: 1500, fanoutAgents: 20, consoleHosts: 40 },
    (line) => console.log(line),
  )) as Record<string, Record<string, unknown>>;

  const handshakes = results.handshakes as { listener: { failures: number; handshakes: number }; ceiling: { handshakes: number } };
  assert.equal(handshakes.listener.failures, 0, 'handshakes with the agent listener failed');
  assert.ok(handshakes.listener.handshakes > 0, 'no handshake with the agent listener completed');
  assert.ok(handshakes.ceiling.handshakes > 0, 'no handshake with the bare TLS server completed');
  const ingest = results.ingest as { checkIns: number; failures: number; ceiling: { rows: number } };
  assert.equal(ingest.checkIns, 10, 'not every full ingest wrote every section');
  assert.equal(ingest.failures, 0, 'a full ingest failed');
  assert.equal(ingest.ceiling.rows, 5 * (1500 + 20), 'COPY of one round wrote another number of rows');
  const unchanged = results.unchanged as { checkIns: number; failures: number };
  assert.ok(unchanged.checkIns > 0, 'no unchanged check-in completed');
  assert.equal(unchanged.failures, 0, 'an unchanged check-in wrote a section or failed');
  assert.equal(results.channels?.connected, 20, 'not every channel opened');
  assert.equal(results.fanout?.received, 20, 'not every agent received the fan-out job');
  const storm = results.storm as { reconnected: number; jobHostStatuses: Record<string, number>; otherDisconnects: Record<string, number> };
  assert.equal(storm.reconnected, 20, 'not every agent came back after the restart');
  assert.deepEqual(storm.jobHostStatuses, { succeeded: 20 }, 'a job host did not succeed across the restart');
  assert.deepEqual(storm.otherDisconnects, {}, 'an agent saw an error other than a refused connection');
  const reads = (results.console as { reads: { p95Ms: number }[] }).reads;
  assert.equal(reads.length, 3, 'a console read is missing');
  console.log('fleet smoke run passed');
} finally {
  await embedded.stop();
  fs.rmSync(tempDir, { recursive: true, force: true });
}
