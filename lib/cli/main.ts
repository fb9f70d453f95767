import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@/lib/config/load-config';
import type { Context } from '@/lib/context';
import { openDatabase } from '@/lib/db/client';
import { resolveAppDatabaseUrl } from '@/lib/db/app-role';
import { AppError } from '@/lib/errors';
import { runCalibrateCommand } from '@/lib/auth/calibrate-command';
import { unlockAccount } from '@/lib/auth/login-limiter';
import { createEnrollmentToken } from '@/lib/enrollment/create-enrollment-token';
import { revokeEnrollmentToken } from '@/lib/enrollment/revoke-enrollment-token';
import { findGroupByNameOrId } from '@/lib/groups/find-group-by-name-or-id';
import { listGroups } from '@/lib/groups/list-groups';
import { certificateFingerprint } from '@/lib/pki/fingerprint';
import { pkiPaths } from '@/lib/pki/paths';

const HELP = `Usage: patch-manager <command> [options]

Commands:
  token create   Create an enrollment token and print the enroll command for a host
      --description TEXT   Note shown in the console (default: empty)
      --ttl-hours N        Hours until the token expires (default: enrollment.token_ttl_hours, 24)
      --max-uses N         Number of hosts that may enroll with it (default: 1)
      --group NAME_OR_ID   Group that enrolled hosts join, by name (any case) or id
                           (default: no group)
  token revoke ID
                 Revoke an enrollment token by its id (the Enrollment page and
                 GET /api/v1/enrollment-tokens list the ids), so no host can
                 enroll with it; hosts already enrolled keep their certificates
  auth calibrate Time Argon2id password hashing on this machine and propose parameters
      --min-ms N --max-ms N  Target hash time range in milliseconds (default 250-500)
  auth unlock USERNAME
                 Clear the failed sign-in counters of an account, for example after
                 someone locked it by guessing passwords
  help           Show this help

The command reads config.toml (or PM_CONFIG) and the environment like the server.
With the embedded database, the server (npm start) must be running.
`;

function fail(message: string, code = 1): never {
  process.stderr.write(`patch-manager: ${message}\n`);
  process.exit(code);
}

/** Opens the database the way the server does, or exits with a message naming the fix. */
function openCliDatabase() {
  const config = loadConfig();
  const resolved = resolveAppDatabaseUrl({
    ownerUrl: config.databaseUrl,
    appUrl: config.databaseAppUrl,
    dataDir: config.dataDir,
    embeddedPort: config.embeddedDatabasePort,
  });
  if (!resolved) {
    fail(`no database found under ${config.dataDir}; start the server once with \`npm start\` or set DATABASE_URL`);
  }
  return openDatabase(resolved.url, { max: 1, applicationName: 'patch-manager-cli' });
}

/** Returns the one argument a command takes, or exits with status 2 naming it. */
function singleArgument(args: string[], command: string, name: string): string {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  const value = positionals[0];
  if (!value || positionals.length > 1) {
    fail(`${command}: expected exactly one ${name}`, 2);
  }
  return value;
}

/** Returns the context of a command run by the signed-in system user. */
function cliContext(database: { db: Context['db'] }): Context {
  return { actor: { kind: 'cli', user: os.userInfo().username }, db: database.db };
}

async function authUnlock(args: string[]): Promise<void> {
  const username = singleArgument(args, 'auth unlock', 'USERNAME');

  const database = openCliDatabase();
  try {
    const removed = await unlockAccount(database.sql, username);
    process.stdout.write(`Cleared ${removed} sign-in counter(s) of ${username}.\n`);
  } finally {
    await database.close();
  }
}

async function tokenCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      description: { type: 'string', default: '' },
      'ttl-hours': { type: 'string' },
      'max-uses': { type: 'string', default: '1' },
      group: { type: 'string' },
    },
    strict: true,
  });

  const config = loadConfig();
  const resolved = resolveAppDatabaseUrl({
    ownerUrl: config.databaseUrl,
    appUrl: config.databaseAppUrl,
    dataDir: config.dataDir,
    embeddedPort: config.embeddedDatabasePort,
  });
  if (!resolved) {
    fail(`no database found under ${config.dataDir}; start the server once with \`npm start\` or set DATABASE_URL`);
  }
  if (!resolved.restricted) {
    process.stderr.write('patch-manager: warning: database.app_url (PM_DATABASE_APP_URL) is not set, so the CLI connects as the database owner\n');
  }
  const url = resolved.url;
  const caPath = pkiPaths(config.configDir).caCert;
  if (!fs.existsSync(caPath)) {
    fail(`no CA certificate at ${caPath}; start the server once with \`npm start\` to create it`);
  }

  const toNumber = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw)) fail(`--${name}: expected a whole number, got "${raw}"`, 2);
    return Number(raw);
  };

  const database = openDatabase(url, { max: 1, applicationName: 'patch-manager-cli' });
  try {
    const ctx = cliContext(database);
    const group = values.group === undefined ? undefined : await findGroupByNameOrId(ctx, values.group);
    if (group === null) {
      fail(`--group: ${await describeMissingGroup(ctx, values.group!)}`, 2);
    }
    const created = await createEnrollmentToken(
      ctx,
      {
        description: values.description,
        ttlHours: toNumber('ttl-hours', values['ttl-hours']),
        maxUses: toNumber('max-uses', values['max-uses']),
        groupId: group?.id,
      },
      {
        enrollUrl: config.publicUrl,
        caFingerprint: certificateFingerprint(fs.readFileSync(caPath, 'utf8')),
        defaultTtlHours: config.enrollmentTokenTtlHours,
      },
    );
    const joins = created.group ? `Hosts enrolled with it join the group "${created.group.name}".\n\n` : '';
    process.stdout.write(
      `Enrollment token (shown once, expires ${created.expiresAt.toISOString()}):\n  ${created.token}\n\n` +
        joins +
        `Run as root on the host:\n  ${created.enrollCommand}\n\n` +
        `Or install, enroll and start the agent on a host without it (as root; needs Node.js 20, curl and openssl):\n  ${created.installCommand}\n`,
    );
  } catch (error) {
    failOnKnownError(error);
  } finally {
    await database.close();
  }
}

/** Exits with the message of an AppError or an unreachable database; rethrows anything else. */
function failOnKnownError(error: unknown): never {
  if (error instanceof AppError) fail(error.message, 2);
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') {
    fail('cannot reach the database; start the server with `npm start` first or set DATABASE_URL');
  }
  throw error;
}

/** Builds the error for a --group value that matches no group, listing the groups that exist. */
async function describeMissingGroup(ctx: Context, reference: string): Promise<string> {
  const groups = await listGroups(ctx);
  if (groups.length === 0) {
    return `no group named "${reference}", and no groups exist; create one on the console's Groups page first`;
  }
  const listedNames = groups.slice(0, 20).map((group) => `"${group.name}"`);
  const more = groups.length > listedNames.length ? ` and ${groups.length - listedNames.length} more` : '';
  return `no group named "${reference}"; existing groups: ${listedNames.join(', ')}${more}`;
}

async function tokenRevoke(args: string[]): Promise<void> {
  const tokenId = singleArgument(args, 'token revoke', 'token ID');

  const database = openCliDatabase();
  try {
    const ctx = cliContext(database);
    const revoked = await revokeEnrollmentToken(ctx, { tokenId });
    process.stdout.write(`Revoked enrollment token ${revoked.id} at ${revoked.revokedAt.toISOString()}.\n`);
  } catch (error) {
    failOnKnownError(error);
  } finally {
    await database.close();
  }
}

/** Runs the admin CLI with the arguments after the program name. */
export async function main(argv: string[]): Promise<void> {
  const [command, subcommand, ...rest] = argv;
  try {
    const isHelp = (word: string | undefined) => word === 'help' || word === '--help' || word === '-h';
    // `patch-manager token --help` and the like show the same help as `patch-manager help`.
    if (!command || isHelp(command) || isHelp(subcommand)) {
      process.stdout.write(HELP);
      return;
    }
    if (command === 'token' && subcommand === 'create') {
      await tokenCreate(rest);
      return;
    }
    if (command === 'token' && subcommand === 'revoke') {
      await tokenRevoke(rest);
      return;
    }
    if (command === 'auth' && subcommand === 'unlock') {
      await authUnlock(rest);
      return;
    }
    if (command === 'auth' && subcommand === 'calibrate') {
      process.exitCode = await runCalibrateCommand({ args: rest, stdout: process.stdout, stderr: process.stderr });
      return;
    }
    fail(`unknown command "${[command, subcommand].filter(Boolean).join(' ')}"; run \`patch-manager help\``, 2);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      fail(`${error.message}; run \`patch-manager help\``, 2);
    }
    throw error;
  }
}
