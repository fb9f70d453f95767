import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const AGENT_BIN = path.join(ROOT, 'bin', 'pm-agent.js');

export interface AgentProcess {
  agentDir: string;
  output(): string;
  stop(): Promise<void>;
}

/** Runs `pm-agent enroll` with the options and variables of the given enroll command line; throws with its output on failure. */
export function enrollAgent(options: { enrollCommand: string; agentDir: string; env?: Record<string, string> }): string {
  const args = options.enrollCommand.trim().split(/\s+/);
  const start = args.indexOf('enroll');
  if (start < 0) throw new Error(`not an enroll command: ${options.enrollCommand}`);
  // The command sets the token as a variable before the program, as a shell would.
  const assignments = Object.fromEntries(
    args
      .slice(0, start)
      .map((word) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(word))
      .filter((match) => match !== null)
      .map((match) => [match[1]!, match[2]!]),
  );
  const result = spawnSync(process.execPath, [AGENT_BIN, ...args.slice(start)], {
    cwd: os.tmpdir(),
    env: { ...process.env, ...options.env, ...assignments, PM_AGENT_DIR: options.agentDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) {
    throw new Error(`pm-agent enroll failed with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout + result.stderr;
}

/** Creates an enrollment token with the admin CLI and returns the printed `pm-agent.mjs enroll` command line. */
export function createEnrollCommand(serverEnv: Record<string, string>, description: string): string {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'patch-manager.js'), 'token', 'create', '--description', description], {
    cwd: ROOT,
    env: { ...process.env, ...serverEnv },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`patch-manager token create failed with ${result.status}:\n${result.stderr}`);
  const command = result.stdout.split('\n').find((line) => / enroll --server /.test(line) && !line.includes('install-agent.sh'));
  if (!command) throw new Error(`patch-manager token create printed no enroll command:\n${result.stdout}`);
  return command;
}

/** Starts `pm-agent run` in the background from a directory outside the project. */
export function runAgent(options: { agentDir: string; env?: Record<string, string> }): AgentProcess {
  const child: ChildProcess = spawn(process.execPath, [AGENT_BIN, 'run'], {
    cwd: os.tmpdir(),
    env: { ...process.env, ...options.env, PM_AGENT_DIR: options.agentDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  return {
    agentDir: options.agentDir,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Makes a fresh agent directory under the system temp directory. */
export function tempAgentDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pm-agent-'));
}

/** Polls `check` every 250 ms until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
