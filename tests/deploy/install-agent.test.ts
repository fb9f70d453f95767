import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// The real server serves the bundle and the install script. The one-line
// install command from `patch-manager token create` runs with sh, curl and
// openssl, and installs and enrolls the agent into a temporary root prefix.

const root = path.resolve(import.meta.dirname, '..', '..');
const bundleFile = path.join(root, 'dist', 'pm-agent.mjs');

let database: TestDatabase;
let server: ServerProcess;
let work: string;
let token: string;
let command: string;
let admin: SignedIn;

function createToken(): { token: string; installCommand: string } {
  const result = spawnSync(process.execPath, [path.join(root, 'bin', 'patch-manager.js'), 'token', 'create', '--description', 'install test'], {
    cwd: root,
    env: { ...process.env, ...server.env },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  const lines = result.stdout.split('\n').map((line) => line.trim());
  return {
    token: lines.find((line) => line.startsWith('pmet_')) ?? '',
    installCommand: lines.find((line) => line.includes('/downloads/install-agent.sh')) ?? '',
  };
}

/**
 * Runs a command line the way an operator pastes it: on the standard input of sh,
 * so it is in no program's arguments. Node, curl and openssl are on PATH, after
 * `firstOnPath` when given, and `tmpDir` (when given) is TMPDIR.
 */
function shell(line: string, tmpDir?: string, firstOnPath?: string) {
  const searchPath = [firstOnPath, path.dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].filter((part) => part !== undefined).join(':');
  const result = spawnSync('sh', ['-s'], {
    cwd: work,
    input: `${line}\n`,
    encoding: 'utf8',
    env: { ...process.env, PATH: searchPath, ...(tmpDir ? { TMPDIR: tmpDir } : {}) },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Writes wrappers for sh, curl, openssl and node into `dir` that append their
 * arguments to `log` and then run the real program, so a test can read every
 * argument list these programs were started with.
 */
function argumentTracers(dir: string, log: string): void {
  for (const name of ['sh', 'curl', 'openssl', 'node']) {
    const real = name === 'node' ? process.execPath : execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\nprintf '%s\\n' "${name} $*" >> "${log}"\nexec "${real}" "$@"\n`, { mode: 0o755 });
  }
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-agent.mjs')], { stdio: 'pipe' });
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-install-agent-'));
  ({ token, installCommand: command } = createToken());
  admin = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('agent downloads', () => {
  it('rejects a download without a token', async () => {
    const response = await requestJson(`${server.webUrl}/downloads/pm-agent.mjs`, { ca: server.caCertPem });
    expect(response.status).toBe(401);
    expect(response.text).not.toContain('pm-agent');
  });

  it('rejects a download with an unknown token', async () => {
    const response = await requestJson(`${server.webUrl}/downloads/install-agent.sh`, {
      ca: server.caCertPem,
      headers: { 'x-enrollment-token': 'pmet_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(response.status).toBe(401);
  });

  it('serves the bundle for a usable token', async () => {
    const response = await requestJson(`${server.webUrl}/downloads/pm-agent.mjs`, { ca: server.caCertPem, headers: { 'x-enrollment-token': token } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/javascript');
    expect(response.text).toBe(fs.readFileSync(bundleFile, 'utf8'));
  });
});

describe('enrollment page', () => {
  it('shows the install command template', async () => {
    const response = await requestJson(`${server.webUrl}/enrollment`, { ca: server.caCertPem, cookie: admin.cookie });
    expect(response.status).toBe(200);
    expect(response.text).toContain('data-testid="install-command-template"');
    expect(response.text).toContain(`--ca-fingerprint ${server.caFingerprint}`);
    expect(response.text).toContain(`${server.webUrl}/downloads/install-agent.sh`);
  });

  it('serves downloads to a signed-in user', async () => {
    const response = await requestJson(`${server.webUrl}/downloads/install-agent.sh`, { ca: server.caCertPem, cookie: admin.cookie });
    expect(response.status).toBe(200);
    expect(response.text).toBe(fs.readFileSync(path.join(root, 'deploy', 'agent', 'install-agent.sh'), 'utf8'));
  });
});

describe('install-agent.sh', () => {
  it('one-line command stops on a wrong fingerprint', () => {
    const prefix = fs.mkdtempSync(path.join(work, 'wrong-line-'));
    const wrong = command.replaceAll(server.caFingerprint, 'f'.repeat(64)).replace(/\)$/, ` --root ${prefix})`);
    const tmpDir = fs.mkdtempSync(path.join(work, 'tmp-'));
    const result = shell(wrong, tmpDir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('CA fingerprint mismatch: the server sent');
    expect(fs.readdirSync(prefix)).toEqual([]);
    expect(fs.readdirSync(tmpDir)).toEqual([]);
  });

  it('stops on a wrong CA fingerprint', () => {
    const script = path.join(root, 'deploy', 'agent', 'install-agent.sh');
    const prefix = fs.mkdtempSync(path.join(work, 'wrong-'));
    const result = shell(`sh ${script} --server ${server.webUrl} --token ${token} --ca-fingerprint ${'0'.repeat(64)} --root ${prefix}`);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('CA fingerprint mismatch');
    expect(fs.readdirSync(prefix)).toEqual([]);
  });

  it('installs and enrolls into a root prefix from the one-line command', async () => {
    expect(command).toContain(server.caFingerprint);
    const prefix = fs.mkdtempSync(path.join(work, 'root-'));
    const tmpDir = fs.mkdtempSync(path.join(work, 'tmp-'));
    const tracers = fs.mkdtempSync(path.join(work, 'tracers-'));
    const argumentLog = path.join(work, 'arguments.log');
    argumentTracers(tracers, argumentLog);
    const result = shell(command.replace(/\)$/, ` --root ${prefix})`), tmpDir, tracers);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readdirSync(tmpDir)).toEqual([]);

    // Every local user can read a process's arguments, so the token must be in none of them.
    const started = fs.readFileSync(argumentLog, 'utf8').trim().split('\n');
    expect(started.filter((line) => line.startsWith('curl ')).length).toBeGreaterThanOrEqual(3);
    expect(started.some((line) => line.startsWith('sh ') && line.includes('install-agent.sh'))).toBe(true);
    expect(started.some((line) => line.startsWith('node ') && line.includes(' enroll '))).toBe(true);
    expect(started.filter((line) => line.includes(token))).toEqual([]);
    expect(result.stdout).toContain('Enrolled as host');
    // The hint names the installed bundle, not `npx pm-agent`, which would look the name up on the npm registry.
    expect(result.stdout).toMatch(/start the agent with: .*node \S+\/opt\/pm-agent\/pm-agent\.mjs run/);
    expect(result.stdout).toContain('enabled pm-agent.service');

    const installed = path.join(prefix, 'opt', 'pm-agent', 'pm-agent.mjs');
    expect(fs.readFileSync(installed, 'utf8')).toBe(fs.readFileSync(bundleFile, 'utf8'));
    expect(fs.statSync(installed).mode & 0o777).toBe(0o755);
    const agentDir = path.join(prefix, 'var', 'lib', 'pm-agent');
    expect(fs.statSync(agentDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(agentDir, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(agentDir, 'cert.pem'))).toBe(true);

    const unit = path.join(prefix, 'etc', 'systemd', 'system', 'pm-agent.service');
    const unitText = fs.readFileSync(unit, 'utf8');
    // The unit runs the node found first on PATH, here the tracer.
    expect(unitText).toContain(`ExecStart=${path.join(tracers, 'node')} /opt/pm-agent/pm-agent.mjs run`);
    expect(unitText).not.toMatch(/^NoNewPrivileges=yes/m);
    expect(unitText).not.toMatch(/^ProtectSystem=/m);
    expect(fs.readlinkSync(path.join(prefix, 'etc', 'systemd', 'system', 'multi-user.target.wants', 'pm-agent.service'))).toBe(
      '/etc/systemd/system/pm-agent.service',
    );
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    if (verify.error === undefined) {
      expect(verify.stderr).not.toMatch(/\berror\b|Unknown/i);
    }

    const [row] = await database.sql<{ uses: number }[]>`select uses from enrollment_tokens order by created_at desc limit 1`;
    expect(row?.uses).toBe(1);
    const hosts = await database.sql<{ n: string }[]>`select count(*) as n from hosts`;
    expect(Number(hosts[0]?.n)).toBe(1);
  });

  it('refuses downloads once the token is used up', async () => {
    const response = await requestJson(`${server.webUrl}/downloads/pm-agent.mjs`, { ca: server.caCertPem, headers: { 'x-enrollment-token': token } });
    expect(response.status).toBe(401);
  });
});
