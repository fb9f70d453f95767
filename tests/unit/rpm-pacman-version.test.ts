import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@/agent/exec';
import { comparePacmanVersions } from '@/agent/package-managers/pacman-version';
import { compareRpmVersions } from '@/agent/package-managers/rpm-version';

interface OrderCase {
  scheme: string;
  a: string;
  b: string;
  expected: number;
}

const ORDER_FILE = path.resolve(import.meta.dirname, '../fixtures/package-managers/version-order.json');
const rpmCases = (JSON.parse(fs.readFileSync(ORDER_FILE, 'utf8')) as OrderCase[]).filter((item) => item.scheme === 'rpm');

const hasRpm = fs.existsSync('/usr/bin/rpm');
const hasVercmp = fs.existsSync('/usr/bin/vercmp');

/** Pieces that exercise every rule: numbers with leading zeros, letters, each separator, `~`, `^`, epochs. */
const PIECES = ['0', '1', '2', '9', '10', '01', '007', '123', 'a', 'b', 'Z', 'rc', 'alpha', 'p', '.', '-', '_', '+', '~', '^', ':', '1:', '2:'];
const versionText = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 7 }).map((pieces) => pieces.join(''));
/** Pairs built from one shared prefix, so that most pairs differ late, where the rules matter. */
const versionPair = fc
  .tuple(versionText, versionText, versionText)
  .map(([prefix, tailA, tailB]) => [`${prefix}${tailA}`, `${prefix}${tailB}`] as const);

function samplePairs(seed: number, count: number): (readonly [string, string])[] {
  return fc.sample(versionPair, { seed, numRuns: count });
}

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'pm-vercmp-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Runs rpm's own `rpm.vercmp` over every pair with one rpm process and one Lua script. */
async function rpmVercmpBatch(pairs: (readonly [string, string])[]): Promise<number[]> {
  const pairsFile = path.join(workDir, 'rpm-pairs.tsv');
  const scriptFile = path.join(workDir, 'rpm-vercmp.lua');
  await writeFile(pairsFile, pairs.map(([a, b]) => `${a}\t${b}\n`).join(''));
  await writeFile(
    scriptFile,
    [
      `for line in io.lines(${JSON.stringify(pairsFile)}) do`,
      '  local a, b = line:match("^([^\\t]*)\\t([^\\t]*)$")',
      '  io.write(tostring(rpm.vercmp(a, b)), "\\n")',
      'end',
    ].join('\n'),
  );

  const result = await runCommand({ command: 'rpm', args: ['--eval', `%{lua: dofile(${JSON.stringify(scriptFile)})}`], timeoutMs: 60_000 });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout.trim().split('\n').map(Number);
}

/** Runs pacman's `vercmp` over every pair from one shell loop. */
async function pacmanVercmpBatch(pairs: (readonly [string, string])[]): Promise<number[]> {
  const pairsFile = path.join(workDir, 'pacman-pairs.tsv');
  await writeFile(pairsFile, pairs.map(([a, b]) => `${a}\t${b}\n`).join(''));
  const script = `while IFS="$(printf '\\t')" read -r a b; do vercmp "$a" "$b"; done < "$1"`;

  const result = await runCommand({ command: 'sh', args: ['-c', script, 'sh', pairsFile], timeoutMs: 120_000 });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout.trim().split('\n').map(Number);
}

describe('compareRpmVersions', () => {
  it.each(rpmCases.map((item) => [item.a, item.b, item.expected] as const))('%s against %s is %i', (a, b, expected) => {
    expect(compareRpmVersions(a, b)).toBe(expected);
    expect(compareRpmVersions(b, a)).toBe(-expected || 0);
  });

  it('orders epochs, releases and carets', () => {
    expect(compareRpmVersions('1:1.0-1', '2.0-1')).toBe(1);
    expect(compareRpmVersions('0:1.0-1', '1.0-1')).toBe(0);
    expect(compareRpmVersions('5.14.0-503.15.1.el9_5', '5.14.0-70.13.1.el9_0')).toBe(1);
    expect(compareRpmVersions('1.0-1', '1.0')).toBe(1);
    expect(compareRpmVersions('1.0^20240101-1', '1.0-1')).toBe(1);
    expect(compareRpmVersions('1.0~rc1^git2', '1.0~rc1')).toBe(1);
  });

  it.skipIf(!hasRpm)('agrees with rpm on generated pairs', async () => {
    const seed = Date.now() % 1_000_000;
    const pairs = samplePairs(seed, 400);
    const expected = await rpmVercmpBatch(pairs);
    expect(expected.length).toBe(pairs.length);

    pairs.forEach(([a, b], index) => {
      expect(compareRpmVersions(a, b), `rpm.vercmp("${a}", "${b}") with seed ${seed}`).toBe(expected[index]);
    });
  });
});

describe('comparePacmanVersions', () => {
  it('follows the documented order', () => {
    const ordered = ['1.0a', '1.0b', '1.0beta', '1.0p', '1.0pre', '1.0rc', '1.0', '1.0.a', '1.0.1'];
    for (let index = 1; index < ordered.length; index += 1) {
      expect(comparePacmanVersions(ordered[index - 1]!, ordered[index]!), `${ordered[index - 1]} < ${ordered[index]}`).toBe(-1);
    }
    expect(comparePacmanVersions('2:1.0-1', '1:3.6-1')).toBe(1);
    expect(comparePacmanVersions('1.5-1', '1.5')).toBe(0);
    expect(comparePacmanVersions('4.34', '1:001')).toBe(-1);
    expect(comparePacmanVersions('6.12.10.arch1-1', '6.12.9.arch1-2')).toBe(1);
  });

  it.skipIf(!hasVercmp)('agrees with vercmp on generated pairs', async () => {
    const seed = Date.now() % 1_000_000;
    const pairs = samplePairs(seed, 300);
    const expected = await pacmanVercmpBatch(pairs);
    expect(expected.length).toBe(pairs.length);

    pairs.forEach(([a, b], index) => {
      expect(comparePacmanVersions(a, b), `vercmp "${a}" "${b}" with seed ${seed}`).toBe(expected[index]);
    });
  });
});
