import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@/lib/config/load-config';

function configDir(toml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-config-limits-'));
  fs.writeFileSync(path.join(dir, 'config.toml'), toml);
  return dir;
}

describe('loadConfig [limits]', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({ env: {}, cwd: configDir('') });

    expect(config.limits).toEqual({
      publicRequestsPerMinute: 300,
      revocationRequestsPerMinute: 1200,
      enrollmentRequestsPerMinute: 60,
      enrollmentFailures: 10,
      enrollmentFailureWindowSeconds: 900,
      setupFailures: 10,
      setupFailureWindowSeconds: 900,
    });
  });

  it('reads every key from config.toml', () => {
    const toml = [
      '[limits]',
      'public_requests_per_minute = 11',
      'revocation_requests_per_minute = 12',
      'enrollment_requests_per_minute = 13',
      'enrollment_failures = 14',
      'enrollment_failure_window_seconds = 15',
      'setup_failures = 16',
      'setup_failure_window_seconds = 17',
    ].join('\n');
    const config = loadConfig({ env: {}, cwd: configDir(toml) });

    expect(config.limits).toEqual({
      publicRequestsPerMinute: 11,
      revocationRequestsPerMinute: 12,
      enrollmentRequestsPerMinute: 13,
      enrollmentFailures: 14,
      enrollmentFailureWindowSeconds: 15,
      setupFailures: 16,
      setupFailureWindowSeconds: 17,
    });
  });

  it('rejects a zero limit naming the key', () => {
    expect(() => loadConfig({ env: {}, cwd: configDir('[limits]\nenrollment_failures = 0\n') })).toThrow(
      /limits\.enrollment_failures: expected a whole number of requests from 1 to 1000000/,
    );
  });

  it('rejects a fractional window naming the key', () => {
    expect(() => loadConfig({ env: {}, cwd: configDir('[limits]\nsetup_failure_window_seconds = 1.5\n') })).toThrow(
      /limits\.setup_failure_window_seconds: expected whole seconds from 1 to 86400/,
    );
  });

  it('rejects an unknown key in [limits]', () => {
    expect(() => loadConfig({ env: {}, cwd: configDir('[limits]\nlogin_failures = 3\n') })).toThrow(/unknown key limits\.login_failures/);
  });
});
