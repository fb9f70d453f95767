import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSecretFileModes, FileModeError } from '@/lib/pki/check-file-modes';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

let dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-file-modes-'));
  dirs.push(dir);
  return dir;
}

/** Writes a file with an exact mode, whatever the umask. */
function writeWithMode(file: string, contents: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, contents);
  fs.chmodSync(file, mode);
}

/** Starts the real server with the given environment and returns its exit code and output. */
function startServerExpectingExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: 'postgres://127.0.0.1:9/unused', PM_LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

afterEach(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('startup file-mode check', () => {
  const secrets = [
    { name: 'CA key', relative: path.join('ca', 'ca.key') },
    { name: 'JWT signing key', relative: path.join('jwt', 'signing.pem') },
  ];

  const exposures = [
    { who: 'group', mode: 0o640 },
    { who: 'others', mode: 0o604 },
  ];

  for (const secret of secrets) {
    for (const exposure of exposures) {
      it(`refuses a ${secret.name} readable by ${exposure.who}`, async () => {
        const dataDir = tempDir();
        const file = path.join(dataDir, secret.relative);
        writeWithMode(file, '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n', exposure.mode);

        const { code, output } = await startServerExpectingExit({ PM_DATA_DIR: dataDir });

        expect(code).toBe(1);
        expect(output).toContain(`${file} has mode 0${exposure.mode.toString(8)}`);
        expect(output).toContain(`chmod 600 ${file}`);
      });
    }
  }

  for (const mode of [0o666, 0o602]) {
    it(`refuses a config file with mode 0${mode.toString(8)}`, async () => {
      const dir = tempDir();
      const configFile = path.join(dir, 'config.toml');
      writeWithMode(configFile, `[paths]\ndata_dir = "${path.join(dir, 'data')}"\n`, mode);

      const { code, output } = await startServerExpectingExit({ PM_CONFIG: configFile });

      expect(code).toBe(1);
      expect(output).toContain(`${configFile} has mode 0${mode.toString(8)}`);
      expect(output).toContain(`chmod 640 ${configFile}`);
    });
  }

  it('accepts owner-only keys and a 0640 config file', () => {
    const dir = tempDir();
    writeWithMode(path.join(dir, 'ca', 'ca.key'), 'key', 0o600);
    writeWithMode(path.join(dir, 'jwt', 'signing.pem'), 'key', 0o600);
    writeWithMode(path.join(dir, 'config.toml'), '', 0o640);

    expect(() => checkSecretFileModes({ configDir: dir, configFile: path.join(dir, 'config.toml') })).not.toThrow();
  });

  it('lists every exposed file in one error', () => {
    const dir = tempDir();
    writeWithMode(path.join(dir, 'ca', 'ca.key'), 'key', 0o604);
    writeWithMode(path.join(dir, 'ocsp', 'responder.key'), 'key', 0o660);

    let error: unknown;
    try {
      checkSecretFileModes({ configDir: dir, configFile: null });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(FileModeError);
    expect((error as Error).message).toContain(`chmod 600 ${path.join(dir, 'ca', 'ca.key')}`);
    expect((error as Error).message).toContain(`chmod 600 ${path.join(dir, 'ocsp', 'responder.key')}`);
  });
});
