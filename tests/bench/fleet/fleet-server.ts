import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@/tests/helpers/free-port';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const START_TIMEOUT_MS = 120_000;

/** CPU time of a process in milliseconds, user and system together. */
export function readCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  // Linux reports utime and stime in clock ticks of USER_HZ, which is 100 on x86 and ARM Linux.
  return ticks * 10;
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function readRssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(match[1]) * 1024;
}

/** The real server (server.ts under tsx) as a child process that can be restarted on the same data directory and ports. */
export interface FleetServer {
  readonly dataDir: string;
  readonly agentPort: number;
  readonly caCertPem: string;
  /** Process id of the running server; throws when it is stopped. */
  pid(): number;
  /** Everything the server printed since its last start. */
  output(): string;
  /** Stops the server with SIGTERM (SIGKILL after 30 s), keeping the data directory. */
  stop(): Promise<void>;
  /** Starts the server again on the same data directory and ports. */
  start(): Promise<void>;
  /** Stops the server and removes its data directory. */
  dispose(): Promise<void>;
}

/**
 * Starts the real server on free loopback ports with a new data directory and the
 * given database, after building the console when its build is missing or stale.
 * `cpuProfileDir` runs the server under `node --cpu-prof`; each process writes its
 * profile there when it exits.
 */
export async function startFleetServer(options: { databaseUrl: string; cpuProfileDir?: string; logLevel?: string }): Promise<FleetServer> {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('next build failed; see the output above');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-fleet-server-'));
  const webPort = await freePort();
  const agentPort = await freePort();
  const env: Record<string, string> = {
    PM_DATA_DIR: dataDir,
    PM_WEB_PORT: String(webPort),
    PM_AGENT_PORT: String(agentPort),
    PM_AGENT_BIND: '127.0.0.1',
    PM_PUBLIC_URL: `https://localhost:${webPort}`,
    DATABASE_URL: options.databaseUrl,
    PM_LOG_LEVEL: options.logLevel ?? 'warn',
  };
  const profileArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];

  let child: ChildProcess | null = null;
  let output = '';

  async function start(): Promise<void> {
    output = '';
    const started = spawn(process.execPath, [...profileArgs, '--import', 'tsx', path.join(ROOT, 'server.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
      const check = setInterval(() => {
        if (output.includes('Internal CA SHA-256 fingerprint:')) {
          clearTimeout(timer);
          clearInterval(check);
          resolve();
        }
      }, 50);
      started.once('exit', (code) => {
        clearTimeout(timer);
        clearInterval(check);
        reject(new Error(`server exited with ${code} before it started:\n${output}`));
      });
    });
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  const caCertPem = fs.readFileSync(path.join(dataDir, 'ca', 'ca.pem'), 'utf8');

  return {
    dataDir,
    agentPort,
    caCertPem,
    pid() {
      if (!child?.pid || child.exitCode !== null) throw new Error('the server is not running');
      return child.pid;
    },
    output: () => output,
    stop,
    start,
    async dispose() {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
