import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureFolders, PACKAGE_MANAGER_FIXTURES, readFixture, readOptionalFixture } from '../helpers/fixture-files';
import { interpretDnfCheckUpdate } from '@/agent/package-managers/dnf/interpret-check-update';
import { parseRpmQuery } from '@/agent/package-managers/rpm/parse-rpm-query';
import { interpretZypperRun } from '@/agent/package-managers/zypper/exit-status';
import { parseZypperListPatches, parseZypperListUpdates } from '@/agent/package-managers/zypper/parse-xml';
import { rebootStateFromNeedsRebooting } from '@/agent/package-managers/zypper/reboot';
import type { FailureCause, RebootState } from '@/agent/package-managers/types';

/*
 * Runs the dnf, rpm and zypper parsers over every fixture folder whose name starts
 * with dnf-, rpm- or zypper-. Each expected.json entry is mapped to one reader by
 * its keys, folder and file name. An entry, field or state that no reader
 * understands fails the test, so every new folder is either checked or reported.
 */

const FIXTURES = PACKAGE_MANAGER_FIXTURES;
const PREFIXES = ['dnf-', 'rpm-', 'zypper-'];

/** Keys that describe an entry rather than the parser's reading. */
const NOTE_KEYS = new Set(['uncertain', 'alsoReads']);

/** The fixtures spell failure causes as states. */
const CAUSE_BY_STATE: Record<string, FailureCause> = { repo_unreachable: 'repository-unreachable', locked: 'lock-held' };

/** check-update's status for a listing; a fixture without an `.exit` file is a listing. */
const CHECK_UPDATE_UPDATES_AVAILABLE = 100;

type Expected = Record<string, unknown>;

interface Entry {
  folder: string;
  file: string;
  expected: Expected;
}

interface Reader {
  name: string;
  /** Fields this reader compares; any other key in the entry fails the test. */
  fields: readonly string[];
  matches(entry: Entry): boolean;
  check(entry: Entry): void;
}

const folders = fixtureFolders(PREFIXES);

function keysOf(entry: Entry): string[] {
  return Object.keys(entry.expected).filter((key) => !NOTE_KEYS.has(key));
}

function label(entry: Entry): string {
  return `${entry.folder}/${entry.file}`;
}

/** Base name of an output file: `el9.stdout.txt` and `el9.txt` both give `el9`. */
function baseName(file: string): string {
  return file.replace(/(?:\.stdout)?\.txt$/, '');
}

/** Reads stdout, stderr and the exit status of the run an entry describes. */
function readRun(entry: Entry, defaultExit: number): { exitCode: number; stdout: string; stderr: string; exitText: string | null } {
  const base = baseName(entry.file);
  const exitText = readOptionalFixture(entry.folder, `${base}.exit`);
  return {
    exitCode: exitText === null ? defaultExit : Number(exitText.trim()),
    stdout: readFixture(entry.folder, entry.file),
    stderr: readOptionalFixture(entry.folder, `${base}.stderr.txt`) ?? '',
    exitText: exitText?.trim() ?? null,
  };
}

/** Compares a list of expected objects field by field; fields left out of an expected object are not checked. */
function expectListMatches(name: string, actual: unknown[], expected: unknown): void {
  expect(Array.isArray(expected), `${name} expected value is a list`).toBe(true);
  const rows = expected as Expected[];
  expect(actual.length, `${name} count`).toBe(rows.length);

  rows.forEach((row, index) => {
    const actualRow = (actual[index] ?? {}) as Expected;
    for (const [field, value] of Object.entries(row)) {
      if (NOTE_KEYS.has(field)) continue;
      expect(actualRow[field], `${name}[${index}].${field}`).toEqual(value);
    }
  });
}

/** Reboot reasons are prose, so only the package names and exit statuses the expected reason quotes must appear. */
function expectRebootState(name: string, state: RebootState | null, expected: Expected): void {
  expect(state, `${name} reboot state`).not.toBeNull();
  const { rebootRequired, packages, reason } = expected;
  if (rebootRequired !== undefined) expect(state?.required, `${name} required`).toBe(rebootRequired ? 'yes' : 'no');
  if (packages !== undefined) expect(state?.packages, `${name} packages`).toEqual(packages);
  if (reason !== undefined) {
    expect(state?.reason.trim(), `${name} reason`).not.toBe('');
    const quoted = String(reason).match(/\b[a-z][\w-]*-\d[\w.:-]*\.(?:x86_64|aarch64|noarch|i686)\b|\b\d{3}\b/g) ?? [];
    for (const token of quoted) expect(state?.reason, `${name} reason names ${token}`).toContain(token);
  }
}

const READERS: readonly Reader[] = [
  {
    name: 'dnf check-update',
    fields: ['updates', 'obsoletes', 'reboot'],
    matches: (entry) => entry.folder.startsWith('dnf-') && keysOf(entry).includes('updates') && !keysOf(entry).includes('state'),
    check: (entry) => {
      const run = readRun(entry, CHECK_UPDATE_UPDATES_AVAILABLE);
      const reading = interpretDnfCheckUpdate({ ...run, timedOut: false });
      expect(reading.failure, `${label(entry)} failure`).toBeNull();
      expectListMatches(`${label(entry)} updates`, reading.updates ?? [], entry.expected.updates);
      expectListMatches(`${label(entry)} obsoletes`, reading.obsoletes ?? [], entry.expected.obsoletes ?? []);
      if (entry.expected.reboot === undefined) {
        expect(reading.reboot, `${label(entry)} reboot`).toBeNull();
      } else {
        expectRebootState(label(entry), reading.reboot ?? null, entry.expected.reboot as Expected);
      }
    },
  },
  {
    name: 'dnf check-update failure',
    fields: ['state', 'repository', 'exitCode', 'updates'],
    matches: (entry) => entry.folder.startsWith('dnf-') && keysOf(entry).includes('state'),
    check: (entry) => {
      expect(entry.file, `${label(entry)} is a .stdout.txt entry`).toMatch(/\.stdout\.txt$/);
      const run = readRun(entry, 1);
      const reading = interpretDnfCheckUpdate({ ...run, timedOut: false });
      const { state, repository, exitCode, updates } = entry.expected;

      const cause = CAUSE_BY_STATE[String(state)];
      expect(cause, `${label(entry)} state '${String(state)}' maps to a failure cause`).toBeDefined();
      expect(reading.failure?.cause, `${label(entry)} cause`).toBe(cause);
      if (repository !== undefined) expect(reading.repository, `${label(entry)} repository`).toBe(repository);
      if (exitCode !== undefined) expect(reading.exitCode, `${label(entry)} exit status`).toBe(exitCode);
      if (updates !== undefined) expect(reading.updates, `${label(entry)} updates`).toEqual(updates);
    },
  },
  {
    name: 'rpm -qa',
    fields: ['installed', 'excluded'],
    matches: (entry) => keysOf(entry).includes('installed'),
    check: (entry) => {
      const inventory = parseRpmQuery(readFixture(entry.folder, entry.file));
      expectListMatches(`${label(entry)} installed`, inventory.installed, entry.expected.installed);
      if (entry.expected.excluded !== undefined) expectListMatches(`${label(entry)} excluded`, inventory.excluded, entry.expected.excluded);
    },
  },
  {
    name: 'zypper list-updates',
    fields: ['updates'],
    matches: (entry) => entry.folder.startsWith('zypper-') && keysOf(entry).includes('updates'),
    check: (entry) => {
      expectListMatches(`${label(entry)} updates`, parseZypperListUpdates(readFixture(entry.folder, entry.file)), entry.expected.updates);
    },
  },
  {
    name: 'zypper list-patches',
    fields: ['patches'],
    matches: (entry) => entry.folder.startsWith('zypper-') && keysOf(entry).includes('patches'),
    check: (entry) => {
      expectListMatches(`${label(entry)} patches`, parseZypperListPatches(readFixture(entry.folder, entry.file)), entry.expected.patches);
    },
  },
  {
    name: 'zypper exit status',
    fields: ['state', 'exitCode', 'success', 'rerun', 'holderPid', 'holder', 'retriable'],
    matches: (entry) => entry.folder.startsWith('zypper-') && keysOf(entry).includes('state'),
    check: (entry) => {
      const run = readRun(entry, 1);
      const reading = interpretZypperRun({ exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, timedOut: false });
      const { state, exitCode, success, rerun, ...failureFields } = entry.expected;

      if (exitCode !== undefined) expect(run.exitText, `${label(entry)} exit status file`).toBe(String(exitCode));
      if (success !== undefined) expect(reading.success, `${label(entry)} success`).toBe(success);
      if (rerun !== undefined) expect(reading.rerun, `${label(entry)} rerun`).toBe(rerun);

      if (state === 'rerun_required') {
        expect(reading.rerun, `${label(entry)} rerun`).toBe(true);
        expect(reading.failure, `${label(entry)} failure`).toBeNull();
        return;
      }

      const cause = CAUSE_BY_STATE[String(state)];
      expect(cause, `${label(entry)} state '${String(state)}' maps to a failure cause`).toBeDefined();
      expect(reading.failure?.cause, `${label(entry)} cause`).toBe(cause);
      for (const [field, value] of Object.entries(failureFields)) {
        if (NOTE_KEYS.has(field)) continue;
        expect((reading.failure as unknown as Expected | null)?.[field], `${label(entry)} ${field}`).toEqual(value);
      }
    },
  },
  {
    name: 'zypper needs-rebooting',
    fields: ['rebootRequired', 'packages', 'reason', 'exitCode'],
    matches: (entry) => entry.folder.startsWith('zypper-') && keysOf(entry).includes('rebootRequired') && /needs-rebooting/.test(entry.file),
    check: (entry) => {
      const run = readRun(entry, 0);
      if (entry.expected.exitCode !== undefined) expect(run.exitText, `${label(entry)} exit status file`).toBe(String(entry.expected.exitCode));
      expectRebootState(label(entry), rebootStateFromNeedsRebooting(run.exitCode), entry.expected);
    },
  },
];

function readerFor(entry: Entry): Reader {
  const candidates = READERS.filter((reader) => reader.matches(entry));
  if (candidates.length !== 1) {
    const names = candidates.map((reader) => reader.name).join(', ') || 'none';
    throw new Error(`${label(entry)}: cannot map the entry to one parser (keys ${keysOf(entry).join(', ')}; matching readers: ${names})`);
  }

  const reader = candidates[0]!;
  const unknown = keysOf(entry).filter((key) => !reader.fields.includes(key));
  if (unknown.length > 0) throw new Error(`${label(entry)}: the ${reader.name} reader does not understand ${unknown.join(', ')}`);
  return reader;
}

describe('rpm-family fixture folders', () => {
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
      const entry: Entry = { folder, file, expected: all[file] ?? {} };
      readerFor(entry).check(entry);
    });
  });
});
