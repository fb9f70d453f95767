import { parseArgs } from 'node:util';
import { AppError } from '@/lib/errors';
import { calibrateArgon2, type Measurement } from './calibrate-argon2';

/** Arguments and output streams of the command. */
export interface CommandIo {
  /** Arguments after `auth calibrate`. */
  args?: string[];
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export const CALIBRATE_HELP = `Usage: patch-manager auth calibrate [options]

Times Argon2id password hashing on this machine and proposes parameters.
Memory stays at 64 MiB or more.

Options:
  --min-ms N    Lower end of the target hash time in milliseconds (default 250)
  --max-ms N    Upper end of the target hash time in milliseconds (default 500)
  --samples N   Hashes timed per parameter set; the median counts (default 3)
`;

/**
 * Runs `patch-manager auth calibrate`: measures hash times with `calibrateArgon2`,
 * prints one table row per parameter set and the proposal, and returns the exit
 * status (0 done, 2 invalid arguments). It changes no configuration.
 */
export async function runCalibrateCommand(io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: io.args ?? [],
      options: {
        'min-ms': { type: 'string', default: '250' },
        'max-ms': { type: 'string', default: '500' },
        samples: { type: 'string', default: '3' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    io.stderr.write(`patch-manager auth calibrate: ${(error as Error).message}\n\n${CALIBRATE_HELP}`);
    return 2;
  }

  if (values.help) {
    io.stdout.write(CALIBRATE_HELP);
    return 0;
  }

  const numbers: Record<string, number> = {};
  for (const name of ['min-ms', 'max-ms', 'samples'] as const) {
    const raw = values[name];
    if (!/^\d+$/.test(raw)) {
      io.stderr.write(`patch-manager auth calibrate: --${name}: expected a whole number, got "${raw}"\n`);
      return 2;
    }
    numbers[name] = Number(raw);
  }

  const targetMinMs = numbers['min-ms']!;
  const targetMaxMs = numbers['max-ms']!;
  io.stdout.write(`Timing Argon2id hashes, target ${targetMinMs}-${targetMaxMs} ms ...\n`);

  let result;
  try {
    result = await calibrateArgon2({ targetMinMs, targetMaxMs, samples: numbers.samples });
  } catch (error) {
    if (error instanceof AppError) {
      io.stderr.write(`patch-manager auth calibrate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  io.stdout.write(`CPU cores: ${result.cores}\n\n`);
  io.stdout.write(formatTable([{ ...result.current, label: 'current' }, ...result.measurements.map((entry) => ({ ...entry, label: '' }))]));

  const { recommended } = result;
  const verdict = recommended.withinTarget
    ? 'Recommended'
    : `No parameter set landed in ${targetMinMs}-${targetMaxMs} ms; nearest`;
  io.stdout.write(
    `\n${verdict}: m=${recommended.memoryCost} KiB, t=${recommended.timeCost}, p=${recommended.parallelism} ` +
      `(median ${recommended.medianMs} ms)\n`,
  );
  return 0;
}

function formatTable(rows: (Measurement & { label: string })[]): string {
  const header = ['memory (KiB)', 't', 'p', 'median (ms)', 'in target', ''];
  const lines = rows.map((row) => [
    String(row.memoryCost),
    String(row.timeCost),
    String(row.parallelism),
    row.medianMs.toFixed(1),
    row.withinTarget ? 'yes' : 'no',
    row.label,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column]!)).join('  ').trimEnd();
  return [render(header), ...lines.map(render)].join('\n') + '\n';
}
