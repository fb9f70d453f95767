/** One option of a `pm-agent parse` kind. */
export interface ParseOption {
  /** Option name with its dashes, for example `--held`. */
  name: string;
  /** Placeholder for the value in help text (`FILE`, `CODE`), or null for a flag without a value. */
  value: string | null;
  description: string;
  required?: boolean;
}

/** Command-line access for a kind's reader: input, option values and option files. */
export interface ParseContext {
  /** Reads FILE, or stdin when FILE is absent or `-`. */
  readInput(): Promise<string>;
  /** Like {@link readInput}, but returns null when FILE does not exist. */
  readInputIfExists(): Promise<string | null>;
  /** Value of an option, `''` for a flag that is set, undefined when the option is absent. */
  option(name: string): string | undefined;
  /** Reads the file an option names, or returns undefined when the option is absent. */
  readOptionFile(name: string): Promise<string | undefined>;
  /** Like {@link readOptionFile}, but returns null when the file does not exist. */
  readOptionFileIfExists(name: string): Promise<string | null | undefined>;
}

/** One row of the `pm-agent parse` table: a command output that the agent can read. */
export interface ParseKind {
  manager: string;
  kind: string;
  /** One line for `--help`. */
  description: string;
  /** Description of the content that FILE (or stdin) must have. */
  input: string;
  options: readonly ParseOption[];
  /** Reads the input with the agent's parser and returns the value to print as JSON. */
  read(context: ParseContext): Promise<unknown>;
}

/** A command-line mistake; `pm-agent parse` prints the message and exits with status 2. */
export class ParseUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseUsageError';
  }
}
