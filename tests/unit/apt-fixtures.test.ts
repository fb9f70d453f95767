import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureFolders, PACKAGE_MANAGER_FIXTURES, readFixture, readOptionalFixture } from '../helpers/fixture-files';
import { classifyAptFailure } from '@/agent/package-managers/apt/classify-failure';
import { parseDpkgQuery } from '@/agent/package-managers/apt/parse-dpkg-query';
import { parseAptListUpgradable } from '@/agent/package-managers/apt/parse-list-upgradable';
import { parseAptMarkShowhold } from '@/agent/package-managers/apt/parse-showhold';
import { parseAptSimulation } from '@/agent/package-managers/apt/parse-simulation';
import { rebootStateFromFlagFile, rebootStateFromKernels } from '@/agent/package-managers/apt/reboot';
import type { FailureCause, RebootState } from '@/agent/package-managers/types';

/*
 * Runs the apt and dpkg parsers over every fixture folder whose name starts
 * with apt-, debian- or dpkg-. Each expected.json entry is mapped to a parser by
 * its keys and file name. An entry, field or sibling file that no reader
 * understands fails the test, so every new folder is either checked or reported.
 */

const FIXTURES = PACKAGE_MANAGER_FIXTURES;
const PREFIXES = ['apt-', 'debian-', 'dpkg-'];

/** Keys that describe an entry rather than the parser's reading. */
const NOTE_KEYS = new Set(['uncertain', 'alsoReads']);

/** The fixtures spell failure causes as states. */
const CAUSE_BY_STATE: Record<string, FailureCause> = { locked: 'lock-held', held: 'held-packages' };

/** apt-get exits with 100 on every error; fixtures without an `.exit` file get that status. */
const APT_GET_ERROR_STATUS = 100;

type Expected = Record<string, unknown>;

interface Entry {
  folder: string;
  file: string;
  expected: Expected;
  all: Record<string, Expected>;
}

interface Reader {
  name: string;
  /** Fields this reader compares; any other key in the entry fails the test. */
  fields: readonly string[];
  matches(entry: Entry): boolean;
  check(entry: Entry): void;
}

const folders = fixtureFolders(PREFIXES);

function alsoReads(entry: Entry): string[] {
  const files = entry.expected.alsoReads ?? [];
  if (!Array.isArray(files) || !files.every((file) => typeof file === 'string')) {
    throw new Error(`${entry.folder}/${entry.file}: alsoReads must be a list of file names`);
  }
  return files;
}

function keysOf(entry: Entry): string[] {
  return Object.keys(entry.expected).filter((key) => !NOTE_KEYS.has(key));
}

/** Held names from the alsoReads files, each of which must be an `apt-mark showhold` entry. */
function heldFromAlsoReads(entry: Entry): Set<string> | undefined {
  const files = alsoReads(entry);
  if (files.length === 0) return undefined;

  const held = new Set<string>();
  for (const file of files) {
    if (!Array.isArray(entry.all[file]?.held)) {
      throw new Error(`${entry.folder}/${entry.file}: cannot map alsoReads file ${file}; only apt-mark showhold entries are understood here`);
    }
    parseAptMarkShowhold(readFixture(entry.folder, file)).forEach((name) => held.add(name));
  }
  return held;
}

/** Compares a list of expected objects field by field; fields left out of an expected object are not checked. */
function expectListMatches(label: string, actual: unknown[], expected: unknown): void {
  expect(Array.isArray(expected), `${label} expected value is a list`).toBe(true);
  const rows = expected as Expected[];
  expect(actual.length, `${label} count`).toBe(rows.length);

  rows.forEach((row, index) => {
    const actualRow = (actual[index] ?? {}) as Expected;
    for (const [field, value] of Object.entries(row)) {
      if (field === 'uncertain') continue;
      expect(actualRow[field], `${label}[${index}].${field}`).toEqual(value);
    }
  });
}

/** Returns the command that produced an `updates` entry, named by the file first, then by the folder. */
function updatesSource(entry: Entry): 'list' | 'simulate' | null {
  for (const name of [entry.file, entry.folder]) {
    if (/simulate|dry-run/.test(name)) return 'simulate';
    if (/list|upgradable/.test(name)) return 'list';
  }
  return null;
}

/**
 * Reboot reasons are prose, so only the paths and kernel flavours that the
 * expected reason names must appear in the agent's reason.
 */
function expectReasonNames(label: string, actual: string, expected: unknown): void {
  expect(actual.trim(), `${label} reason`).not.toBe('');
  const names = String(expected).match(/(?<=^|[\s(])(?:\/[A-Za-z0-9._/-]*[A-Za-z0-9]|[-+][a-z][a-z0-9+-]*)/g) ?? [];
  for (const name of names) expect(actual, `${label} reason names ${name}`).toContain(name);
}

function expectRebootState(entry: Entry, state: RebootState): void {
  const label = `${entry.folder}/${entry.file}`;
  const { rebootRequired, packages, reason } = entry.expected;
  if (rebootRequired !== undefined) expect(state.required, `${label} required`).toBe(rebootRequired ? 'yes' : 'no');
  if (packages !== undefined) expect(state.packages, `${label} packages`).toEqual(packages);
  if (reason !== undefined) expectReasonNames(label, state.reason, reason);
}

const READERS: readonly Reader[] = [
  {
    name: 'apt-mark showhold',
    fields: ['held'],
    matches: (entry) => keysOf(entry).includes('held') && /showhold/.test(entry.file),
    check: (entry) => {
      expect(parseAptMarkShowhold(readFixture(entry.folder, entry.file))).toEqual(entry.expected.held);
    },
  },
  {
    name: 'apt list --upgradable',
    fields: ['updates'],
    matches: (entry) => keysOf(entry).includes('updates') && updatesSource(entry) === 'list',
    check: (entry) => {
      const updates = parseAptListUpgradable(readFixture(entry.folder, entry.file), heldFromAlsoReads(entry));
      expectListMatches(`${entry.folder}/${entry.file} updates`, updates, entry.expected.updates);
    },
  },
  {
    name: 'apt-get -s',
    fields: ['updates', 'removals', 'keptBack', 'deferredByPhasing', 'summary'],
    matches: (entry) => keysOf(entry).includes('updates') && updatesSource(entry) === 'simulate',
    check: (entry) => {
      const label = `${entry.folder}/${entry.file}`;
      const simulation = parseAptSimulation(readFixture(entry.folder, entry.file), heldFromAlsoReads(entry));
      const { updates, removals, keptBack, deferredByPhasing, summary } = entry.expected;
      expectListMatches(`${label} updates`, simulation.updates, updates);
      if (removals !== undefined) expectListMatches(`${label} removals`, simulation.removals, removals);
      if (keptBack !== undefined) expect(simulation.keptBack, `${label} keptBack`).toEqual(keptBack);
      if (deferredByPhasing !== undefined) expect(simulation.deferredByPhasing, `${label} deferredByPhasing`).toEqual(deferredByPhasing);
      if (summary !== undefined) expect(simulation.summary, `${label} summary`).toEqual(summary);
    },
  },
  {
    name: 'dpkg-query -W',
    fields: ['installed', 'excluded'],
    matches: (entry) => keysOf(entry).includes('installed') && Array.isArray(entry.expected.installed),
    check: (entry) => {
      const label = `${entry.folder}/${entry.file}`;
      const inventory = parseDpkgQuery(readFixture(entry.folder, entry.file));
      // A field left out of an expected row has its default reading: not held, not broken.
      const installed = (entry.expected.installed as Expected[]).map((row) => ({ held: false, broken: false, ...row }));
      expectListMatches(`${label} installed`, inventory.installed, installed);
      if (entry.expected.excluded !== undefined) expectListMatches(`${label} excluded`, inventory.excluded, entry.expected.excluded);
    },
  },
  {
    name: 'apt-get failure',
    fields: ['state', 'lock', 'holderPid', 'holder', 'retriable', 'exitCode', 'packages'],
    matches: (entry) => keysOf(entry).includes('state'),
    check: (entry) => {
      const label = `${entry.folder}/${entry.file}`;
      expect(entry.file, `${label} is a .stdout.txt entry`).toMatch(/\.stdout\.txt$/);
      const base = entry.file.replace(/\.stdout\.txt$/, '');
      const exitText = readOptionalFixture(entry.folder, `${base}.exit`);
      const exitCode = exitText === null ? APT_GET_ERROR_STATUS : Number(exitText.trim());

      const failure = classifyAptFailure({
        exitCode,
        stdout: readFixture(entry.folder, entry.file),
        stderr: readOptionalFixture(entry.folder, `${base}.stderr.txt`) ?? '',
        timedOut: false,
      });

      const { state, exitCode: expectedExit, ...fields } = entry.expected;
      const cause = CAUSE_BY_STATE[String(state)];
      expect(cause, `${label} state '${String(state)}' maps to a failure cause`).toBeDefined();
      expect(failure?.cause, `${label} cause`).toBe(cause);
      if (expectedExit !== undefined) expect(exitText?.trim(), `${label} exit status file`).toBe(String(expectedExit));
      for (const [field, value] of Object.entries(fields)) {
        if (NOTE_KEYS.has(field)) continue;
        expect((failure as unknown as Expected | null)?.[field], `${label} ${field}`).toEqual(value);
      }
    },
  },
  {
    name: 'uname -r',
    fields: ['runningKernel'],
    matches: (entry) => keysOf(entry).includes('runningKernel'),
    check: (entry) => {
      expect(readFixture(entry.folder, entry.file).trim()).toBe(entry.expected.runningKernel);
    },
  },
  {
    name: 'kernel packages against uname -r',
    fields: ['rebootRequired', 'packages', 'reason'],
    matches: (entry) =>
      keysOf(entry).includes('rebootRequired') && alsoReads(entry).some((file) => entry.all[file]?.runningKernel !== undefined),
    check: (entry) => {
      const unameFile = alsoReads(entry).find((file) => entry.all[file]?.runningKernel !== undefined) ?? '';
      const state = rebootStateFromKernels(readFixture(entry.folder, unameFile), readFixture(entry.folder, entry.file));
      expectRebootState(entry, state);
    },
  },
  {
    name: 'reboot-required flag file',
    fields: ['rebootRequired', 'packages', 'reason'],
    matches: (entry) => keysOf(entry).includes('rebootRequired') && /reboot-required/.test(entry.file),
    check: (entry) => {
      const files = [entry.file, ...alsoReads(entry)];
      const pkgsFile = files.find((file) => /reboot-required[-.]pkgs/.test(file));
      const flagFile = files.find((file) => file !== pkgsFile && /reboot-required/.test(file));
      expect(flagFile, `${entry.folder}/${entry.file} names a flag file`).toBeDefined();

      const state = rebootStateFromFlagFile(readFixture(entry.folder, flagFile ?? ''), pkgsFile === undefined ? null : readFixture(entry.folder, pkgsFile));
      expectRebootState(entry, state);
    },
  },
];

function readerFor(entry: Entry): Reader {
  const candidates = READERS.filter((reader) => reader.matches(entry));
  const label = `${entry.folder}/${entry.file}`;
  if (candidates.length !== 1) {
    const names = candidates.map((reader) => reader.name).join(', ') || 'none';
    throw new Error(`${label}: cannot map the entry to one parser (keys ${keysOf(entry).join(', ')}; matching readers: ${names})`);
  }

  const reader = candidates[0]!;
  const unknown = keysOf(entry).filter((key) => !reader.fields.includes(key));
  if (unknown.length > 0) throw new Error(`${label}: the ${reader.name} reader does not understand ${unknown.join(', ')}`);
  return reader;
}

describe('apt fixture folders', () => {
  it('finds the fixture folders', () => {
    expect(folders.length).toBeGreaterThan(0);
  });

  describe.each(folders)('%s', (folder) => {
    const expectedPath = path.join(FIXTURES, folder, 'expected.json');
    const all = (fs.existsSync(expectedPath) ? JSON.parse(fs.readFileSync(expectedPath, 'utf8')) : {}) as Record<string, Expected>;

    it('has an expected.json entry for every output file', () => {
      expect(fs.existsSync(expectedPath), `${folder}/expected.json exists`).toBe(true);
      const outputs = fs.readdirSync(path.join(FIXTURES, folder)).filter((file) => file.endsWith('.txt') && !file.endsWith('.stderr.txt'));
      for (const file of outputs) expect(Object.keys(all), `${folder} entries`).toContain(file);
      for (const file of Object.keys(all)) expect(fs.existsSync(path.join(FIXTURES, folder, file)), `${folder}/${file} exists`).toBe(true);
    });

    it.each(Object.keys(all))('%s', (file) => {
      const entry: Entry = { folder, file, expected: all[file] ?? {}, all };
      readerFor(entry).check(entry);
    });
  });
});
