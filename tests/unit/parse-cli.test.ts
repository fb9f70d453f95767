import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARSE_KINDS, runParse } from '@/agent/cli/parse';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/package-managers');

function fixture(relativePath: string): string {
  return path.join(FIXTURES, relativePath);
}

interface ParseRun {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout read as JSON; undefined when stdout is not JSON. */
  json: unknown;
}

async function parse(args: string[], stdin = ''): Promise<ParseRun> {
  let stdout = '';
  let stderr = '';
  const status = await runParse(args, {
    readFile: (file) => readFile(file, 'utf8'),
    readStdin: async () => stdin,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });

  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { status, stdout, stderr, json };
}

const HELD = fixture('apt-held-and-kept-back/rpi-bookworm.apt-mark-showhold.txt');

describe('pm-agent parse apt', () => {
  it('reads upgradable with held packages', async () => {
    const run = await parse(['apt', 'upgradable', fixture('apt-held-and-kept-back/rpi-bookworm.apt-list-upgradable.stdout.txt'), '--held', HELD]);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject([
      { name: 'linux-image-rpi-v8', held: false, installed: '1:6.12.62-1+rpt1' },
      { name: 'vendor-browser-stable', held: true, candidate: '126.0.6478.126-1' },
    ]);
  });

  it('prints indented JSON', async () => {
    const run = await parse(['apt', 'showhold', HELD]);

    expect(run.stdout).toBe('[\n  "vendor-browser-stable"\n]\n');
  });

  it('reads stdin when FILE is absent', async () => {
    const run = await parse(['apt', 'upgradable'], 'Listing...\nfoo/jammy-security 2.0 amd64 [upgradable from: 1.0]\n');

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject([{ name: 'foo', security: true, installed: '1.0', candidate: '2.0' }]);
  });

  it('reads stdin when FILE is a dash', async () => {
    const run = await parse(['apt', 'showhold', '-'], 'foo\nbar\n');

    expect(run.json).toEqual(['foo', 'bar']);
  });

  it('reads simulate with kept-back reasons', async () => {
    const run = await parse(['apt', 'simulate', fixture('apt-held-and-kept-back/rpi-bookworm.apt-get-simulate-upgrade.txt'), `--held=${HELD}`]);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({
      updates: [],
      keptBack: [
        { name: 'linux-image-rpi-v8', reason: 'requires new packages' },
        { name: 'vendor-browser-stable', reason: 'held' },
      ],
      summary: { upgraded: 0, newlyInstalled: 0, toRemove: 0, notUpgraded: 2 },
    });
  });

  it('reads simulate phasing blocks', async () => {
    const run = await parse(['apt', 'simulate', fixture('apt-phased-updates/kubuntu-apt3-dry-run.txt')]);

    expect(run.json).toMatchObject({ deferredByPhasing: ['libnss-systemd', 'libsystemd0', 'libudev1', 'systemd', 'udev'] });
  });

  it('reads dpkg-query rows', async () => {
    const run = await parse(['apt', 'dpkg-query', fixture('dpkg-query-inventory-states/ubuntu-noble.txt')]);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({
      installed: [
        { name: 'linux-image-6.8.0-100-generic' },
        { name: 'vendor-browser-stable', held: true },
        { name: 'openssl' },
        { name: 'half-configured-pkg', state: 'half-configured', broken: true },
      ],
      excluded: [{ name: 'linux-image-6.8.0-90-generic', state: 'config-files' }],
    });
  });

  it('reads reboot-required with its package list', async () => {
    const run = await parse([
      'apt',
      'reboot-required',
      fixture('debian-reboot-required-file/ubuntu-noble.reboot-required.txt'),
      '--pkgs',
      fixture('debian-reboot-required-file/ubuntu-noble.reboot-required-pkgs.txt'),
    ]);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({ required: 'yes', packages: ['linux-image-6.8.0-101-generic', 'linux-base', 'libc6'] });
  });

  it('reads a missing flag file as unknown', async () => {
    const run = await parse(['apt', 'reboot-required', fixture('debian-reboot-required-file/no-such-flag-file')]);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({ required: 'unknown', packages: [] });
  });

  it('reads kernels against the running release', async () => {
    const packages = fixture('debian-running-vs-installed-kernel/ubuntu-noble.kernel-packages.txt');

    const current = await parse(['apt', 'kernels', packages, '--uname-r', '6.8.0-100-generic']);
    const outdated = await parse(['apt', 'kernels', packages, '--uname-r', '6.8.0-31-generic']);

    expect(current.json).toMatchObject({ required: 'no' });
    expect(outdated.json).toMatchObject({ required: 'yes', packages: ['linux-image-6.8.0-100-generic'] });
  });

  it('requires --uname-r for kernels', async () => {
    const run = await parse(['apt', 'kernels', fixture('debian-running-vs-installed-kernel/ubuntu-noble.kernel-packages.txt')]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--uname-r');
  });

  it('reads failure from stderr and stdout', async () => {
    const run = await parse([
      'apt',
      'failure',
      fixture('apt-held-and-kept-back/rpi-bookworm.apt-get-install-held.stderr.txt'),
      '--stdout',
      fixture('apt-held-and-kept-back/rpi-bookworm.apt-get-install-held.stdout.txt'),
      '--exit',
      '100',
    ]);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({ cause: 'held-packages', packages: ['vendor-browser-stable'], retriable: false });
  });

  it('reads failure of a lock held by another process', async () => {
    const run = await parse(['apt', 'failure', fixture('apt-dpkg-lock-held/ubuntu-lock-frontend.stderr.txt')]);

    expect(run.json).toMatchObject({ cause: 'lock-held', holderPid: 1719, holder: 'unattended-upgr', retriable: true });
  });

  it('prints null for a successful run', async () => {
    const run = await parse(['apt', 'failure', '--exit', '0'], '');

    expect(run.status).toBe(0);
    expect(run.stdout).toBe('null\n');
  });

  it('reads --timed-out as a timeout', async () => {
    const run = await parse(['apt', 'failure', '--exit', '0', '--timed-out'], '');

    expect(run.json).toMatchObject({ cause: 'timeout', retriable: true });
  });

  it('rejects an invalid --exit value', async () => {
    const run = await parse(['apt', 'failure', '--exit', 'abc'], '');

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("invalid --exit value 'abc'");
  });
});

describe('pm-agent parse usage', () => {
  it('lists every kind in --help', async () => {
    const run = await parse(['--help']);

    expect(run.status).toBe(0);
    for (const kind of PARSE_KINDS) {
      expect(run.stdout).toContain(`${kind.manager} ${kind.kind}`);
      expect(run.stdout).toContain(kind.description);
    }
  });

  it('lists the apt kinds the agent supports', () => {
    const aptKinds = PARSE_KINDS.filter((kind) => kind.manager === 'apt').map((kind) => kind.kind);

    expect(aptKinds).toEqual(expect.arrayContaining(['upgradable', 'simulate', 'dpkg-query', 'showhold', 'reboot-required', 'kernels', 'failure']));
  });

  it('lists options in kind --help', async () => {
    const run = await parse(['apt', 'failure', '--help']);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--stdout FILE');
    expect(run.stdout).toContain('--exit CODE');
  });

  it('rejects an unknown kind', async () => {
    const run = await parse(['apt', 'packages', 'file.txt']);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("unknown kind 'packages'");
    expect(run.stderr).toContain('upgradable, simulate, dpkg-query, showhold, reboot-required, kernels, failure');
  });

  it('rejects an unknown manager', async () => {
    const run = await parse(['portage', 'upgradable']);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown manager 'portage'; valid managers: apt");
  });

  it('rejects an unknown manager with --help', async () => {
    const run = await parse(['portage', '--help']);

    expect(run.status).toBe(2);
  });

  it('rejects a missing manager', async () => {
    const run = await parse([]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('usage: pm-agent parse');
  });

  it('rejects an option of another kind', async () => {
    const run = await parse(['apt', 'showhold', HELD, '--pkgs', HELD]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown option --pkgs for apt showhold');
  });

  it('rejects a second FILE', async () => {
    const run = await parse(['apt', 'showhold', HELD, HELD]);

    expect(run.status).toBe(2);
  });

  it('reports a missing FILE', async () => {
    const run = await parse(['apt', 'showhold', fixture('no-such-file.txt')]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('file not found');
  });

  it('reports input the parser rejects', async () => {
    const run = await parse(['apt', 'dpkg-query'], 'not a dpkg-query row\n');

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('invalid dpkg-query line 1');
  });
});
