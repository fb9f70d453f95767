import { APT_PARSE_KINDS } from './parse-kinds-apt';
import { DNF_PARSE_KINDS, YUM_PARSE_KINDS } from './parse-kinds-dnf';
import { PACMAN_PARSE_KINDS } from './parse-kinds-pacman';
import { ZYPPER_PARSE_KINDS } from './parse-kinds-zypper';
import { ParseUsageError, type ParseContext, type ParseKind } from './parse-kind';

export type { ParseKind, ParseOption } from './parse-kind';

/**
 * Every output that `pm-agent parse` reads, one row per manager and kind.
 * Another package manager adds its rows in its own `parse-kinds-<manager>.ts`.
 */
export const PARSE_KINDS: readonly ParseKind[] = [...APT_PARSE_KINDS, ...DNF_PARSE_KINDS, ...YUM_PARSE_KINDS, ...ZYPPER_PARSE_KINDS, ...PACMAN_PARSE_KINDS];

/** Files and streams that `runParse` uses, passed in so tests and the CLI share one code path. */
export interface ParseIo {
  readFile: (path: string) => Promise<string>;
  readStdin: () => Promise<string>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE = 'usage: pm-agent parse <manager> <kind> [FILE] [options]';

interface ParsedArguments {
  help: boolean;
  positionals: string[];
  options: Map<string, string>;
}

/**
 * Runs `pm-agent parse <manager> <kind> [FILE]`: reads FILE (or stdin when
 * FILE is absent or `-`) with the agent's own parser and prints its reading
 * as indented JSON. Administrators use it to see why the agent reports what
 * it does for a host's real command output.
 *
 * Returns the exit status: 0 after printing, 1 when a file cannot be read or
 * the parser rejects the input, 2 for a command-line mistake such as an
 * unknown manager, kind or option. `--help` lists the kinds, or the options
 * of one kind when manager and kind come first.
 */
export async function runParse(args: string[], io: ParseIo): Promise<number> {
  let parsed: ParsedArguments;
  try {
    parsed = splitArguments(args);
  } catch (error) {
    return reportUsageError(error, io);
  }

  const [managerName, kindName, file, ...extra] = parsed.positionals;

  try {
    if (parsed.help && kindName === undefined) {
      if (managerName !== undefined) checkManager(managerName);
      io.stdout(formatOverview(managerName));
      return 0;
    }

    const kind = findKind(managerName, kindName);
    if (parsed.help) {
      io.stdout(formatKindHelp(kind));
      return 0;
    }
    if (extra.length > 0) throw new ParseUsageError(`unexpected argument '${extra[0]}'; give at most one FILE\n${USAGE}`);
    checkOptions(kind, parsed.options);

    const result = await kind.read(createContext(file, parsed.options, io));
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ParseUsageError) return reportUsageError(error, io);
    io.stderr(`pm-agent parse: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function reportUsageError(error: unknown, io: ParseIo): number {
  io.stderr(`pm-agent parse: ${error instanceof Error ? error.message : String(error)}\n`);
  return 2;
}

/** Splits `--name VALUE`, `--name=VALUE`, flags and positionals. Only `--timed-out`-style flags take no value. */
function splitArguments(args: readonly string[]): ParsedArguments {
  const flags = new Set(PARSE_KINDS.flatMap((kind) => kind.options.filter((option) => option.value === null).map((option) => option.name)));
  const result: ParsedArguments = { help: false, positionals: [], options: new Map() };

  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--help' || arg === '-h') {
      result.help = true;
    } else if (arg.startsWith('--')) {
      const equals = arg.indexOf('=');
      const name = equals === -1 ? arg : arg.slice(0, equals);
      if (equals !== -1) {
        result.options.set(name, arg.slice(equals + 1));
      } else if (flags.has(name)) {
        result.options.set(name, '');
      } else {
        const value = args[index + 1];
        if (value === undefined) throw new ParseUsageError(`option ${name} needs a value`);
        result.options.set(name, value);
        index += 1;
      }
    } else {
      result.positionals.push(arg);
    }
  }

  return result;
}

function checkManager(managerName: string | undefined): asserts managerName is string {
  const managers = [...new Set(PARSE_KINDS.map((kind) => kind.manager))];
  if (managerName === undefined) throw new ParseUsageError(`missing manager; valid managers: ${managers.join(', ')}\n${USAGE}`);
  if (!managers.includes(managerName)) {
    throw new ParseUsageError(`unknown manager '${managerName}'; valid managers: ${managers.join(', ')}`);
  }
}

function findKind(managerName: string | undefined, kindName: string | undefined): ParseKind {
  checkManager(managerName);

  const kinds = PARSE_KINDS.filter((kind) => kind.manager === managerName);
  const names = kinds.map((kind) => kind.kind).join(', ');
  if (kindName === undefined) throw new ParseUsageError(`missing kind for ${managerName}; valid kinds: ${names}\n${USAGE}`);

  const kind = kinds.find((candidate) => candidate.kind === kindName);
  if (kind === undefined) throw new ParseUsageError(`unknown kind '${kindName}' for ${managerName}; valid kinds: ${names}`);
  return kind;
}

function checkOptions(kind: ParseKind, options: ReadonlyMap<string, string>): void {
  const known = kind.options.map((option) => option.name);
  for (const name of options.keys()) {
    if (!known.includes(name)) {
      const valid = known.length === 0 ? 'it takes no options' : `valid options: ${known.join(', ')}`;
      throw new ParseUsageError(`unknown option ${name} for ${kind.manager} ${kind.kind}; ${valid}`);
    }
  }
  for (const option of kind.options) {
    if (option.required === true && !options.has(option.name)) {
      throw new ParseUsageError(`missing required option ${option.name} ${option.value ?? ''} for ${kind.manager} ${kind.kind}`.trimEnd());
    }
  }
}

function isMissingFile(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

/** Reads a file; returns null when it does not exist and throws an Error naming the path for other failures. */
async function readFileIfExists(io: ParseIo, path: string): Promise<string | null> {
  try {
    return await io.readFile(path);
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw new Error(`failed to read '${path}': ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function readExistingFile(io: ParseIo, path: string): Promise<string> {
  const text = await readFileIfExists(io, path);
  if (text === null) throw new Error(`file not found: ${path}`);
  return text;
}

function createContext(file: string | undefined, options: ReadonlyMap<string, string>, io: ParseIo): ParseContext {
  const fromStdin = file === undefined || file === '-';

  return {
    readInput: async () => (fromStdin ? io.readStdin() : readExistingFile(io, file)),
    readInputIfExists: async () => (fromStdin ? io.readStdin() : readFileIfExists(io, file)),
    option: (name) => options.get(name),
    readOptionFile: async (name) => {
      const path = options.get(name);
      return path === undefined ? undefined : readExistingFile(io, path);
    },
    readOptionFileIfExists: async (name) => {
      const path = options.get(name);
      return path === undefined ? undefined : readFileIfExists(io, path);
    },
  };
}

function formatOptions(kind: ParseKind): string[] {
  return kind.options.map((option) => {
    const value = option.value === null ? '' : ` ${option.value}`;
    const required = option.required === true ? ' (required)' : '';
    return `  ${`${option.name}${value}`.padEnd(16)} ${option.description}${required}`;
  });
}

function formatOverview(managerName: string | undefined): string {
  const shown = PARSE_KINDS.filter((kind) => managerName === undefined || kind.manager === managerName);
  const width = Math.max(...shown.map((kind) => `${kind.manager} ${kind.kind}`.length));

  const lines = [
    USAGE,
    '',
    "Reads a command's output with the agent's parser and prints the result as JSON.",
    'FILE defaults to stdin. `pm-agent parse <manager> <kind> --help` lists the options of one kind.',
    '',
    'Kinds:',
    ...shown.map((kind) => `  ${`${kind.manager} ${kind.kind}`.padEnd(width)}  ${kind.description}`),
  ];
  return `${lines.join('\n')}\n`;
}

function formatKindHelp(kind: ParseKind): string {
  const lines = [`usage: pm-agent parse ${kind.manager} ${kind.kind} [FILE] [options]`, '', kind.description, '', `FILE (default: stdin): ${kind.input}`];
  if (kind.options.length > 0) lines.push('', 'Options:', ...formatOptions(kind));
  return `${lines.join('\n')}\n`;
}
