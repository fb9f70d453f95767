import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Runs the build script, which builds only when sources changed and lets one build run at a time. */
function buildConsole(): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error('next build failed; see the output above');
  }
}

export interface ServerProcess {
  webUrl: string;
  webPort: number;
  agentPort: number;
  dataDir: string;
  caFingerprint: string;
  caCertPem: string;
  /** Environment that points the admin CLI at this server. */
  env: Record<string, string>;
  /** Everything the server printed, across restarts. */
  output(): string;
  /**
   * Resolves once the output contains `pattern`. A log line can arrive through the
   * pipe after the client has seen the response it belongs to, so tests wait for it.
   */
  waitForOutput(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Stops the server with SIGTERM and starts it again on the same data directory, ports and database. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the real server (server.ts under tsx) on free loopback ports with its
 * own data directory and the given database, and waits until it prints the
 * console URL. A `databaseUrl` of null leaves `DATABASE_URL` unset, so the server
 * starts its embedded PostgreSQL under the data directory on a free port. The
 * console is built first when its build is missing or stale.
 */
export async function startServer(options: { databaseUrl: string | null; withWorker?: boolean; env?: Record<string, string> }): Promise<ServerProcess> {
  buildConsole();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-server-'));
  const webPort = await freePort();
  const agentPort = await freePort();
  const webUrl = `https://localhost:${webPort}`;
  const env: Record<string, string> = {
    PM_DATA_DIR: dataDir,
    PM_WEB_PORT: String(webPort),
    PM_AGENT_PORT: String(agentPort),
    PM_AGENT_BIND: '127.0.0.1',
    PM_PUBLIC_URL: webUrl,
    PM_LOG_LEVEL: 'info',
    ...options.env,
  };
  if (options.databaseUrl === null) {
    env.PM_DB_PORT = String(await freePort());
  } else {
    env.DATABASE_URL = options.databaseUrl;
  }

  const args = ['--import', 'tsx', path.join(ROOT, 'server.ts'), ...(options.withWorker ? ['--with-worker'] : [])];
  let output = '';
  let child = await launch(args, env, (chunk) => (output += chunk));
  const caCertPem = fs.readFileSync(path.join(dataDir, 'ca', 'ca.pem'), 'utf8');
  const fingerprint = /Internal CA SHA-256 fingerprint: ([0-9a-f]{64})/.exec(output)?.[1] ?? '';

  return {
    webUrl,
    webPort,
    agentPort,
    dataDir,
    caFingerprint: fingerprint,
    caCertPem,
    env,
    output: () => output,
    async waitForOutput(pattern, timeoutMs = 5_000) {
      const found = () => (typeof pattern === 'string' ? output.includes(pattern) : pattern.test(output));
      const deadline = Date.now() + timeoutMs;
      while (!found()) {
        if (Date.now() > deadline) {
          throw new Error(`the server did not print ${String(pattern)} within ${timeoutMs} ms; its last output:\n${output.slice(-4_000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async restart() {
      await terminate(child);
      child = await launch(args, env, (chunk) => (output += chunk));
    },
    async stop() {
      await terminate(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Spawns the server and resolves once it prints the console URL; its output goes to `append`. */
async function launch(args: string[], env: Record<string, string>, append: (chunk: string) => void): Promise<ChildProcess> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...withoutDatabaseUrl(process.env), ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    append(chunk.toString());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 90 s:\n${output}`)), 90_000);
    const check = setInterval(() => {
      if (output.includes('Patch Manager console:')) {
        clearTimeout(timer);
        clearInterval(check);
        resolve();
      }
    }, 100);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(check);
      reject(new Error(`server exited with ${code} before it started:\n${output}`));
    });
  });
  return child;
}

/** Stops the server with SIGTERM, and SIGKILL after 15 s. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Returns the environment without `DATABASE_URL`, which the server takes from `env` alone. */
function withoutDatabaseUrl(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _omitted, ...rest } = environment;
  return rest;
}
