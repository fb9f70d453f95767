/** Settings of one fleet benchmark run; `readFleetOptions` reads them from the environment. */
export interface FleetOptions {
  /** Simulated agents, each with its own certificate and channel. */
  agents: number;
  /** Requests or handshakes in flight during the rate measurements. */
  concurrency: number;
  /** New channel connections per second while the fleet connects; 0 means as fast as `concurrency` allows. */
  connectRate: number;
  /** Duration of each rate measurement (handshakes, unchanged check-ins), in seconds. */
  seconds: number;
  /** Agents that post a full inventory. */
  ingests: number;
  /** Installed packages per inventory. */
  packages: number;
  /** Agents that receive the fan-out job. */
  fanoutAgents: number;
  /** Hosts in the database for the console reads; seeded hosts fill up to it, and 0 skips the console reads. */
  consoleHosts: number;
  /** Directory for the server's `--cpu-prof` profiles, or undefined for none. */
  cpuProfileDir?: string;
}

const SETTINGS: { key: keyof Omit<FleetOptions, 'cpuProfileDir'>; env: string; fallback: number; min: number }[] = [
  { key: 'agents', env: 'BENCH_FLEET_AGENTS', fallback: 10_000, min: 1 },
  { key: 'concurrency', env: 'BENCH_FLEET_CONCURRENCY', fallback: 16, min: 1 },
  { key: 'connectRate', env: 'BENCH_FLEET_CONNECT_RATE', fallback: 0, min: 0 },
  { key: 'seconds', env: 'BENCH_FLEET_SECONDS', fallback: 15, min: 1 },
  { key: 'ingests', env: 'BENCH_FLEET_INGESTS', fallback: 500, min: 1 },
  { key: 'packages', env: 'BENCH_FLEET_PACKAGES', fallback: 1500, min: 1 },
  { key: 'fanoutAgents', env: 'BENCH_FLEET_FANOUT_AGENTS', fallback: 2000, min: 1 },
  { key: 'consoleHosts', env: 'BENCH_FLEET_CONSOLE_HOSTS', fallback: 10_000, min: 0 },
];

/** Reads the fleet settings from BENCH_FLEET_* variables; throws on a value that is not a whole number in range. */
export function readFleetOptions(env: NodeJS.ProcessEnv = process.env): FleetOptions {
  const options = {} as FleetOptions;
  for (const setting of SETTINGS) {
    const text = env[setting.env];
    const value = text === undefined || text === '' ? setting.fallback : Number(text);
    if (!Number.isSafeInteger(value) || value < setting.min) {
      throw new Error(`${setting.env}: expected a whole number of at least ${setting.min}, got ${text}`);
    }
    options[setting.key] = value;
  }
  if (env.BENCH_FLEET_CPU_PROF) options.cpuProfileDir = env.BENCH_FLEET_CPU_PROF;
  return options;
}

/** Usage text for the fleet settings. */
export const FLEET_USAGE = SETTINGS.map((setting) => `  ${setting.env} (default ${setting.fallback})`).join('\n');
