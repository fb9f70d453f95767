import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@/lib/config/load-config';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pm-config-'));
}

describe('loadConfig', () => {
  it('uses defaults with no file and no environment', () => {
    const cwd = tempDir();
    const config = loadConfig({ env: {}, cwd });

    expect(config.webPort).toBe(8443);
    expect(config.agentPort).toBe(8444);
    expect(config.dataDir).toBe(path.join(cwd, '.data'));
    expect(config.configDir).toBe(config.dataDir);
    expect(config.databaseUrl).toBeNull();
    expect(config.publicUrl).toBe('https://localhost:8443');
    expect(config.webBind).toBe('0.0.0.0');
  });

  it('reads config.toml and lets the environment override it', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'config.toml'), '[server]\nweb_port = 9443\nagent_port = 9444\n');
    const config = loadConfig({ env: { PM_AGENT_PORT: '7444', PM_DATA_DIR: '/srv/pm' }, cwd });

    expect(config.webPort).toBe(9443);
    expect(config.agentPort).toBe(7444);
    expect(config.dataDir).toBe('/srv/pm');
  });

  it('rejects a bad port from the environment naming the variable', () => {
    expect(() => loadConfig({ env: { PM_WEB_PORT: 'eighty' }, cwd: tempDir() })).toThrow(
      /PM_WEB_PORT: invalid value "eighty"; expected an integer port number/,
    );
  });

  it('rejects an out-of-range port naming the key', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'config.toml'), '[server]\nweb_port = 70000\n');

    expect(() => loadConfig({ env: {}, cwd })).toThrow(/server\.web_port: expected an integer port number/);
  });

  it('rejects a public URL that is not https', () => {
    expect(() => loadConfig({ env: { PM_PUBLIC_URL: 'http://example.test' }, cwd: tempDir() })).toThrow(
      /server\.public_url \(set by PM_PUBLIC_URL\): expected an https URL/,
    );
  });

  it('rejects a database URL of another scheme', () => {
    expect(() => loadConfig({ env: { DATABASE_URL: 'mysql://x' }, cwd: tempDir() })).toThrow(
      /database\.url \(set by DATABASE_URL\): expected a postgres:\/\//,
    );
  });

  it('rejects unknown keys', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'config.toml'), '[server]\nweb_prot = 1\n');

    expect(() => loadConfig({ env: {}, cwd })).toThrow(/unknown key server\.web_prot/);
  });

  it('rejects invalid TOML with the file name', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'config.toml'), '[server\n');

    expect(() => loadConfig({ env: {}, cwd })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, cwd })).toThrow(/config\.toml: invalid TOML/);
  });
});
