import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { normalizeFingerprint } from '../../lib/pki/fingerprint';
import { enrollAgent } from '../enroll';
import { createAgentLogger } from '../log';
import { agentDirFromEnv, type AgentEnvironment } from '../paths';
import { AgentStartError, runAgent } from '../run';
import { AGENT_VERSION } from '../version';
import { runParse } from './parse';

/** Streams and environment of the CLI, passed in so tests can run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: AgentEnvironment;
}

/** Exit statuses: success, failure, command-line mistake. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const USAGE = `usage: pm-agent <command> [options]

Commands:
  enroll    Enroll this host with a patch manager server
  run       Run the agent: keep the channel to the server, run jobs, report inventory
  parse     Read a package manager's output with the agent's parser and print JSON
  version   Print the agent version

Run pm-agent <command> --help for the options of a command.

Environment:
  PM_AGENT_DIR                 agent directory (default /var/lib/pm-agent)
  PM_AGENT_APT_CONFIG          apt configuration file for apt, apt-get and dpkg-query
  PM_AGENT_DPKG_ADMINDIR       dpkg database directory (default: from the apt configuration)
  PM_AGENT_REBOOT_REQUIRED     reboot flag file (default /var/run/reboot-required)
  PM_AGENT_INVENTORY_INTERVAL  seconds between inventory check-ins (default: the server's value)
  PM_AGENT_RECONNECT_MAX_SECONDS  longest delay between reconnect attempts (default 60)
  PM_AGENT_LOG_LEVEL           log level of pm-agent run (default info)
`;

const ENROLL_USAGE = `usage: PM_ENROLL_TOKEN=<token> pm-agent enroll --server <url> --ca-fingerprint <sha256> [--force]

Enrolls this host: checks the server's CA certificate against --ca-fingerprint,
generates a private key that never leaves the host, and stores the issued
certificate in PM_AGENT_DIR (default /var/lib/pm-agent). The enrollment token
comes from PM_ENROLL_TOKEN, --token-file or --token; the first two keep it out of
the process list.

Options:
  --server <url>            web listener of the server, for example https://pm.example.com:8443
  --token-file <path>       read the enrollment token from a file
  --token <token>           the enrollment token itself, visible in the process list while enroll runs
  --ca-fingerprint <sha256> SHA-256 fingerprint of the server's CA certificate, as the console shows it
  --force                   replace an existing enrollment of this host
`;

const RUN_USAGE = `usage: pm-agent run

Runs the agent in the foreground until SIGTERM or SIGINT. Logs go to stderr as
one JSON object per line. The host must be enrolled first (pm-agent enroll).
`;

/** A mistake on the command line; the message names the option and the fix. */
class UsageError extends Error {}

/**
 * Runs one `pm-agent` command and returns its exit status: 0 on success, 1 when
 * the command failed, 2 for a command-line mistake.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;

  try {
    switch (command) {
      case undefined:
        io.stderr(USAGE);
        return EXIT_USAGE;
      case '--help':
      case '-h':
      case 'help':
        io.stdout(USAGE);
        return EXIT_OK;
      case 'version':
      case '--version':
        io.stdout(`pm-agent ${AGENT_VERSION}\n`);
        return EXIT_OK;
      case 'parse':
        return await runParse(rest, parseIo(io));
      case 'enroll':
        return await enrollCommand(rest, io);
      case 'run':
        return await runCommand(rest, io);
      default:
        throw new UsageError(`unknown command '${command}'; valid commands: enroll, run, parse, version`);
    }
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      const helpCommand = command === 'enroll' || command === 'run' ? `pm-agent ${command} --help` : 'pm-agent --help';
      io.stderr(`pm-agent: ${(error as Error).message}\nRun ${helpCommand} for usage.\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/**
 * Returns the command that starts the agent the way this one was started: the
 * single-file bundle by its path, or `npx pm-agent run` inside this project.
 */
function startCommandLine(): string {
  const script = process.argv[1] ?? '';
  return script.endsWith('.mjs') ? `node ${script} run` : 'npx pm-agent run';
}

async function enrollCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      'ca-fingerprint': { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });

  if (values.help) {
    io.stdout(ENROLL_USAGE);
    return EXIT_OK;
  }

  const serverUrl = parseServerUrl(values.server);
  const caFingerprint = parseCaFingerprint(values['ca-fingerprint']);
  const token = await readToken(values.token, values['token-file'], io.env.PM_ENROLL_TOKEN);

  try {
    const result = await enrollAgent({ serverUrl, token, caFingerprint, agentDir: agentDirFromEnv(io.env), force: values.force });
    const dirHint = process.env.PM_AGENT_DIR ? `PM_AGENT_DIR=${result.agentDir} ` : '';
    io.stdout(
      `Enrolled as host ${result.hostId}.\nCredentials are in ${result.agentDir}; start the agent with: ${dirHint}${startCommandLine()}\n`,
    );
    return EXIT_OK;
  } catch (error) {
    io.stderr(`pm-agent enroll: ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  }
}

async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h', default: false } }, strict: true, allowPositionals: false });
  if (values.help) {
    io.stdout(RUN_USAGE);
    return EXIT_OK;
  }

  const log = createAgentLogger({ level: io.env.PM_AGENT_LOG_LEVEL });
  const shutdown = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ event: 'agent.signal', signal }, 'received a stop signal');
    shutdown.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    await runAgent({ agentDir: agentDirFromEnv(io.env), env: io.env, log, signal: shutdown.signal });
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof AgentStartError)) {
      log.error({ event: 'agent.failed', error: (error as Error).message }, 'agent failed');
    }
    io.stderr(`pm-agent run: ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

function parseServerUrl(value: string | undefined): URL {
  if (value === undefined || value.trim() === '') {
    throw new UsageError('missing --server; pass the web listener URL, for example --server https://pm.example.com:8443');
  }

  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`invalid --server ${JSON.stringify(value)}: expected a URL such as https://pm.example.com:8443`);
  }

  if (url.protocol !== 'https:') {
    throw new UsageError(`invalid --server ${JSON.stringify(value)}: the URL must start with https://`);
  }
  if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new UsageError(`invalid --server ${JSON.stringify(value)}: give only scheme, host and port, such as https://pm.example.com:8443`);
  }
  return url;
}

function parseCaFingerprint(value: string | undefined): string {
  if (value === undefined) {
    throw new UsageError('missing --ca-fingerprint; copy the SHA-256 fingerprint of the CA certificate from the console');
  }

  try {
    return normalizeFingerprint(value);
  } catch (error) {
    throw new UsageError(`invalid --ca-fingerprint: ${(error as Error).message}`);
  }
}

/** Returns the enrollment token from --token, --token-file or, when neither is given, PM_ENROLL_TOKEN. */
async function readToken(token: string | undefined, tokenFile: string | undefined, fromEnv: string | undefined): Promise<string> {
  if (token !== undefined && tokenFile !== undefined) {
    throw new UsageError('--token and --token-file both given; pass only one of them');
  }

  if (tokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(tokenFile, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --token-file ${tokenFile}: ${(error as Error).message}`);
    }
    token = text.trim();
  } else if (token === undefined && fromEnv !== undefined) {
    if (fromEnv.trim() === '') {
      throw new UsageError('PM_ENROLL_TOKEN is empty; set it to the enrollment token from the console');
    }
    token = fromEnv;
  }

  if (token === undefined || token.trim() === '') {
    throw new UsageError('missing enrollment token; set PM_ENROLL_TOKEN to the token from the console, or pass --token-file <path>');
  }
  return token.trim();
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

function parseIo(io: CliIo): Parameters<typeof runParse>[1] {
  return {
    readFile: (path) => readFile(path, 'utf8'),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdout: io.stdout,
    stderr: io.stderr,
  };
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
}
