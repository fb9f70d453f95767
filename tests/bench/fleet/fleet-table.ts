/** One line of the fleet table: a figure, its ceiling or goal, and whether it meets the goal. */
interface Row {
  figure: string;
  value: string;
  ceiling: string;
  verdict: string;
}

type Results = Record<string, Record<string, unknown> | undefined>;

function text(value: unknown): string {
  return value === null || value === undefined ? 'n/a' : String(value);
}

function verdict(ok: boolean | null): string {
  if (ok === null) return 'n/a';
  return ok ? 'meets goal' : 'misses goal';
}

/** Formats the results of `runFleetBenchmark` as a plain-text table, one figure per line beside its ceiling. */
export function formatFleetTable(results: Results): string {
  const rows: Row[] = [];
  const handshakes = results.handshakes as { listener: { perSecond: number }; ceiling: { perSecond: number }; ratio: number } | undefined;
  if (handshakes) {
    rows.push({
      figure: 'mTLS handshakes/s (agent listener)',
      value: text(handshakes.listener.perSecond),
      ceiling: `${handshakes.ceiling.perSecond} bare TLS (ratio ${handshakes.ratio}, goal 0.8)`,
      verdict: verdict(handshakes.ratio >= 0.8),
    });
  }
  const ingest = results.ingest as { listener: { perSecond: number }; ceiling: { perSecond: number }; ratio: number } | undefined;
  if (ingest) {
    rows.push({
      figure: 'full inventory ingests/s',
      value: text(ingest.listener.perSecond),
      ceiling: `${ingest.ceiling.perSecond} COPY (ratio ${ingest.ratio}, goal 0.5)`,
      verdict: verdict(ingest.ratio >= 0.5),
    });
  }
  const unchanged = results.unchanged as { perSecond: number; serverCpuMsPerCheckIn: number; ceilingPerSecond: number } | undefined;
  if (unchanged) {
    rows.push({
      figure: 'unchanged check-ins/s',
      value: `${unchanged.perSecond} (${unchanged.serverCpuMsPerCheckIn} ms server CPU each)`,
      ceiling: `${unchanged.ceilingPerSecond} handshakes/s on the same listener`,
      verdict: 'n/a',
    });
  }
  const channels = results.channels as { connected: number; kibPerChannel: number; projectedRssFor10000MiB: number } | undefined;
  if (channels) {
    rows.push({
      figure: `server memory per idle channel (${channels.connected} open)`,
      value: `${channels.kibPerChannel} KiB`,
      ceiling: `${channels.projectedRssFor10000MiB} MiB projected RSS at 10,000 (limit 1024)`,
      verdict: verdict(channels.projectedRssFor10000MiB <= 1024),
    });
  }
  const fanout = results.fanout as { agents: number; allMs: number | null } | undefined;
  if (fanout) {
    rows.push({
      figure: `job fan-out to ${fanout.agents} agents`,
      value: `${text(fanout.allMs)} ms`,
      ceiling: 'goal < 2000 ms',
      verdict: verdict(fanout.allMs === null ? false : fanout.allMs < 2000),
    });
  }
  const storm = results.storm as
    | {
        agents: number;
        allBackSecondsAfterStart: number | null;
        jobHostStatuses: Record<string, number>;
        otherDisconnects: Record<string, number>;
        tlsSessions: { resumed: number; full: number };
      }
    | undefined;
  if (storm) {
    const failed = storm.agents - (storm.jobHostStatuses.succeeded ?? 0);
    const others = Object.values(storm.otherDisconnects).reduce((sum, count) => sum + count, 0);
    rows.push({
      figure: `reconnect storm (${storm.agents} agents)`,
      value:
        `${text(storm.allBackSecondsAfterStart)} s after the new server process started, ${failed} jobs not succeeded, ${others} other errors, ` +
        `${storm.tlsSessions.resumed} of ${storm.tlsSessions.resumed + storm.tlsSessions.full} TLS sessions resumed`,
      ceiling: 'goal all back < 60 s, 0, 0',
      verdict: verdict(storm.allBackSecondsAfterStart !== null && storm.allBackSecondsAfterStart < 60 && failed === 0 && others === 0),
    });
  }
  const consoleReads = results.console as { rows: { hosts: number; packages: number }; reads: { name: string; p95Ms: number }[] } | undefined;
  for (const read of consoleReads?.reads ?? []) {
    rows.push({
      figure: `console ${read.name}, p95`,
      value: `${read.p95Ms} ms`,
      ceiling: `goal < 200 ms at ${consoleReads!.rows.hosts} hosts, ${consoleReads!.rows.packages} packages`,
      verdict: verdict(read.p95Ms < 200),
    });
  }

  const widths = [40, 44, 64];
  const line = (cells: string[]): string => cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join(' ');
  return [line(['figure', 'value', 'ceiling or goal', 'verdict']), ...rows.map((row) => line([row.figure, row.value, row.ceiling, row.verdict]))].join('\n');
}
