import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAptBackend, type AptBackend } from '@/agent/package-managers/apt/backend';
import type { PatchOutcome } from '@/agent/package-managers/types';
import { createAptTestRoot, MAIN_SUITE, type AptTestRoot } from '@/tests/helpers/apt-repo';

// An upgrade that ships new configuration files runs without a prompt: dpkg keeps
// a conffile the administrator changed (the new one lands beside it as
// .dpkg-dist) and replaces one that was never changed.

const PACKAGES = [
  { name: 'pm-test-conf-edited', version: '1.0-1', arch: 'all', suite: MAIN_SUITE, preinstall: true, conffile: 'setting = 1\n' },
  { name: 'pm-test-conf-edited', version: '1.0-2', arch: 'all', suite: MAIN_SUITE, preinstall: false, conffile: 'setting = 2\n' },
  { name: 'pm-test-conf-plain', version: '1.0-1', arch: 'all', suite: MAIN_SUITE, preinstall: true, conffile: 'plain = 1\n' },
  { name: 'pm-test-conf-plain', version: '1.0-2', arch: 'all', suite: MAIN_SUITE, preinstall: false, conffile: 'plain = 2\n' },
] as const;

let testRoot: AptTestRoot;
let backend: AptBackend;

function etc(file: string): string {
  return path.join(testRoot.root, 'etc', file);
}

describe.skipIf(process.getuid?.() !== 0)('apt upgrade with changed conffiles', () => {
  let outcome: PatchOutcome;
  const lines: string[] = [];

  beforeAll(async () => {
    testRoot = await createAptTestRoot(PACKAGES);
    backend = createAptBackend({ aptConfig: testRoot.aptConfigPath, lockTimeoutSeconds: 1, runningKernel: '6.1.0-2-pmtest' });
    await writeFile(etc('pm-test-conf-edited.conf'), 'setting = local\n');

    const request = { action: 'upgrade-all' as const, packages: [], dryRun: false, timeoutSeconds: 120 };
    outcome = await backend.apply(request, (_stream, line) => lines.push(line), new AbortController().signal);
  }, 240_000);

  afterAll(async () => {
    await testRoot?.cleanup();
  });

  it('finishes without a prompt', () => {
    expect(outcome.failure, lines.join('\n')).toBeNull();
    expect(outcome.status).toBe('succeeded');
    expect(outcome.changes.map((change) => [change.name, change.before, change.after])).toEqual([
      ['pm-test-conf-edited', '1.0-1', '1.0-2'],
      ['pm-test-conf-plain', '1.0-1', '1.0-2'],
    ]);
  });

  it('keeps the edited conffile and stores the new one beside it', async () => {
    expect(await readFile(etc('pm-test-conf-edited.conf'), 'utf8')).toBe('setting = local\n');
    expect(await readFile(etc('pm-test-conf-edited.conf.dpkg-dist'), 'utf8')).toBe('setting = 2\n');
  });

  it('replaces an unchanged conffile', async () => {
    expect(await readFile(etc('pm-test-conf-plain.conf'), 'utf8')).toBe('plain = 2\n');
  });
});
