import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDpkgVersions, parseDpkgVersion } from '@/agent/package-managers/dpkg-version';

interface OrderCase {
  scheme: string;
  a: string;
  b: string;
  expected: -1 | 0 | 1;
}

const ORDER_FILE = path.resolve(import.meta.dirname, '../fixtures/package-managers/version-order.json');
const dpkgCases = (JSON.parse(fs.readFileSync(ORDER_FILE, 'utf8')) as OrderCase[]).filter((entry) => entry.scheme === 'dpkg');

/**
 * Compares many pairs with the real `dpkg --compare-versions` in one shell,
 * because starting one process per pair from Node is slow. The versions come
 * from the generators below and contain no shell quote characters.
 */
function compareWithDpkg(pairs: readonly (readonly [string, string])[]): number[] {
  const script = pairs
    .map(([a, b]) => `if dpkg --compare-versions '${a}' lt '${b}'; then echo -1; elif dpkg --compare-versions '${a}' eq '${b}'; then echo 0; else echo 1; fi`)
    .join('\n');
  const output = execFileSync('sh', ['-s'], { input: script, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return output.trim().split('\n').map(Number);
}

/** Version pieces chosen to hit the hard rules: tilde, plus, dots, letters against digits, leading zeros. */
const piece = fc.constantFrom('0', '1', '2', '9', '10', '010', '100', 'a', 'b', 'z', 'A', 'Z', 'rc', '.', '+', '~', '~~', '.0', '~rc1', '+b1', 'git');
const upstreamTail = fc.array(piece, { maxLength: 5 }).map((pieces) => pieces.join(''));
const upstreamHead = fc.constantFrom('0', '1', '2', '10', '01', '1.0', '1.2', '2.0');
const revision = fc.option(fc.array(piece, { minLength: 1, maxLength: 4 }).map((pieces) => `0${pieces.join('')}`), { nil: undefined });
const epoch = fc.option(fc.constantFrom('0', '1', '2', '10', '01'), { nil: undefined });

function joinVersion(parts: { epoch?: string; upstream: string; revision?: string }): string {
  const withEpoch = parts.epoch === undefined ? parts.upstream : `${parts.epoch}:${parts.upstream}`;
  return parts.revision === undefined ? withEpoch : `${withEpoch}-${parts.revision}`;
}

const version = fc
  .record({ epoch, head: upstreamHead, tail: upstreamTail, hyphenated: fc.boolean(), revision })
  .map(({ epoch: e, head, tail, hyphenated, revision: r }) => {
    // A hyphen inside the upstream part is valid only when a revision follows it.
    const upstream = hyphenated && r !== undefined ? `${head}-${tail}${tail === '' ? '1' : ''}` : `${head}${tail}`;
    return joinVersion({ epoch: e, upstream, revision: r });
  });

/** Pairs that share a prefix, so the comparison reaches the later characters. */
const closePair = fc
  .record({ epochA: epoch, epochB: epoch, head: upstreamHead, tailA: upstreamTail, tailB: upstreamTail, revisionA: revision, revisionB: revision })
  .map(({ epochA, epochB, head, tailA, tailB, revisionA, revisionB }) => [
    joinVersion({ epoch: epochA, upstream: `${head}${tailA}`, revision: revisionA }),
    joinVersion({ epoch: epochB, upstream: `${head}${tailB}`, revision: revisionB }),
  ] as const);

const pair = fc.oneof(closePair, fc.tuple(version, version));

describe('compareDpkgVersions', () => {
  it.each(dpkgCases)('orders $a against $b as $expected', ({ a, b, expected }) => {
    expect(compareDpkgVersions(a, b)).toBe(expected);
  });

  it('finds dpkg cases in version-order.json', () => {
    expect(dpkgCases.length).toBeGreaterThan(0);
  });

  it('agrees with dpkg --compare-versions on generated pairs', () => {
    const seed = Date.now() % 2_147_483_647;
    const pairs = fc.sample(pair, { numRuns: 400, seed });
    const fromDpkg = compareWithDpkg(pairs);
    expect(fromDpkg).toHaveLength(pairs.length);

    pairs.forEach(([a, b], index) => {
      expect(compareDpkgVersions(a, b), `'${a}' against '${b}' (fast-check seed ${seed})`).toBe(fromDpkg[index]);
    });
  });

  it('is antisymmetric', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(compareDpkgVersions(a, b)).toBe(-compareDpkgVersions(b, a) || 0);
      }),
      { numRuns: 500 },
    );
  });

  it('is reflexive', () => {
    fc.assert(
      fc.property(version, (v) => {
        expect(compareDpkgVersions(v, v)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        if (compareDpkgVersions(a, b) <= 0 && compareDpkgVersions(b, c) <= 0) {
          expect(compareDpkgVersions(a, c)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('sorts kernel ABI numbers numerically', () => {
    expect(compareDpkgVersions('6.8.0-100.100', '6.8.0-31.31')).toBe(1);
  });

  it('treats a missing epoch as epoch 0', () => {
    expect(compareDpkgVersions('0:1.0-1', '1.0-1')).toBe(0);
  });
});

describe('parseDpkgVersion', () => {
  it('splits epoch, upstream and revision', () => {
    expect(parseDpkgVersion('2:1.8~3~bpo9+1')).toEqual({ epoch: 2, upstream: '1.8~3~bpo9+1', revision: '' });
    expect(parseDpkgVersion('1:2.3-4-5ubuntu1')).toEqual({ epoch: 1, upstream: '2.3-4', revision: '5ubuntu1' });
    expect(parseDpkgVersion('1:2:3-1')).toEqual({ epoch: 1, upstream: '2:3', revision: '1' });
  });

  it('ignores surrounding whitespace', () => {
    expect(parseDpkgVersion(' 1.0-1\n')).toEqual({ epoch: 0, upstream: '1.0', revision: '1' });
  });

  const invalid = ['', '   ', '1.0-', ':1.0', 'a:1.0', '-1:1.0', '1: 1.0', '1.0 1', '1:', '-1', '1.0-1_2', '1.0-1:2', '1.0$', '99999999999:1'];

  it.each(invalid)('rejects %j', (text) => {
    expect(() => parseDpkgVersion(text)).toThrow(/invalid dpkg version/);
  });

  it.each(invalid.filter((text) => text.trim() !== ''))('rejects %j as dpkg does', (text) => {
    // dpkg treats an empty version as "no version" instead of rejecting it, so empty strings are left out here.
    const result = spawnSync('dpkg', ['--compare-versions', text, 'eq', '1'], { encoding: 'utf8' });
    const rejected = result.status === 2 || /bad syntax/.test(result.stderr);
    expect(rejected, `dpkg output: ${result.stderr}`).toBe(true);
  });
});
