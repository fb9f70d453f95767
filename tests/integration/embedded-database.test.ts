import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process';

// The server without DATABASE_URL: it initialises and starts its own embedded
// PostgreSQL under the data directory, applies the migrations and stops the
// database when it stops.

const ROOT = path.resolve(import.meta.dirname, '..', '..');

let server: ServerProcess;
let dataDir: string;
let port: number;

function journalTags(): string[] {
  const journal = JSON.parse(fs.readFileSync(path.join(ROOT, 'drizzle', 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  return journal.entries.map((entry) => entry.tag);
}

function ownerSql() {
  const password = fs.readFileSync(path.join(dataDir, 'postgres', 'password'), 'utf8').trim();
  return postgres({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', max: 1, onnotice: () => {} });
}

function canConnect(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  server = await startServer({ databaseUrl: null, withWorker: true });
  dataDir = server.dataDir;
  port = Number(server.env.PM_DB_PORT);
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

describe('embedded PostgreSQL', () => {
  it('keeps its cluster and password under the data directory', () => {
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'cluster', 'PG_VERSION'))).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'postgres', 'password')).mode & 0o777).toBe(0o600);
    expect(server.output()).toContain('embedded PostgreSQL started');
  });

  it('has every migration applied at start', async () => {
    const sql = ownerSql();
    try {
      const applied = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const tables = await sql<{ name: string }[]>`select table_name as name from information_schema.tables where table_schema = 'public'`;

      expect(applied[0]?.n).toBe(journalTags().length);
      expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['hosts', 'jobs', 'enrollment_tokens', 'users']));
    } finally {
      await sql.end();
    }
  });

  it('listens on loopback only, with a password', async () => {
    const sql = postgres({ host: '127.0.0.1', port, user: 'postgres', password: 'wrong', database: 'postgres', max: 1, onnotice: () => {} });
    try {
      await expect(sql`select 1`).rejects.toThrow(/password authentication failed/);
    } finally {
      await sql.end();
    }
    const ownerConnection = ownerSql();
    try {
      const [setting] = await ownerConnection<{ listen_addresses: string }[]>`show listen_addresses`;
      expect(setting?.listen_addresses).toBe('127.0.0.1');
    } finally {
      await ownerConnection.end();
    }
  });

  it('stops the database with the server, after the worker', async () => {
    expect(await canConnect()).toBe(true);
    // A worker stopped before it finished starting just ends on the signal, so the test waits for it.
    for (let attempt = 0; attempt < 300 && !server.output().includes('"msg":"worker started"'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await server.stop();

    expect(await canConnect()).toBe(false);
    // The worker closes its connections before the database goes away, so it stops cleanly.
    // Its last lines come through the pipe and can arrive just after the exit event.
    for (let attempt = 0; attempt < 20 && !server.output().includes('"msg":"worker stopped"'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(server.output()).toContain('"msg":"worker stopped"');
    expect(server.output()).not.toContain('ECONNRESET');
  });
});
