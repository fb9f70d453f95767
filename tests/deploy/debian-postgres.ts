import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/free-port';

/**
 * Returns the bin directory of the newest PostgreSQL that Debian's packages
 * installed under /usr/lib/postgresql, or a path that does not exist when none
 * is installed. The backup tests use this server and its pg_dump because
 * pg_dump refuses to dump a server of a newer major version, and the embedded
 * server (PostgreSQL 18) ships no pg_dump.
 */
function findDebianPgBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((name) => /^\d+$/.test(name)) : [];
  const usable = versions
    .map(Number)
    .sort((a, b) => b - a)
    .map((version) => path.join(base, String(version), 'bin'))
    .filter((bin) => ['initdb', 'pg_ctl', 'pg_dump', 'pg_restore', 'psql'].every((program) => fs.existsSync(path.join(bin, program))));
  return usable[0] ?? path.join(base, 'missing', 'bin');
}

/** Directory of Debian's PostgreSQL server and client programs used by the backup tests. */
export const DEBIAN_PG_BIN = findDebianPgBin();

export interface DebianPostgres {
  /** Superuser URL of a database on the cluster. */
  url(database: string): string;
  stop(): void;
}

/** Runs a program as the postgres user when this process is root, because PostgreSQL refuses to run as root. */
function runAsPostgres(program: string, args: string[]): void {
  if (process.getuid?.() === 0) {
    execFileSync('runuser', ['-u', 'postgres', '--', program, ...args], { stdio: 'pipe' });
  } else {
    execFileSync(program, args, { stdio: 'pipe' });
  }
}

/**
 * Starts a throwaway PostgreSQL cluster on 127.0.0.1 with trust
 * authentication, in a temporary directory that `stop` removes.
 */
export async function startDebianPostgres(): Promise<DebianPostgres> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-pg15-'));
  if (process.getuid?.() === 0) {
    execFileSync('chown', ['postgres:postgres', base]);
  }
  const dataDir = path.join(base, 'data');
  const port = await freePort();

  runAsPostgres(path.join(DEBIAN_PG_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  runAsPostgres(path.join(DEBIAN_PG_BIN, 'pg_ctl'), [
    '-D', dataDir, '-w', '-l', path.join(base, 'server.log'),
    '-o', `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);

  return {
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop() {
      runAsPostgres(path.join(DEBIAN_PG_BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
