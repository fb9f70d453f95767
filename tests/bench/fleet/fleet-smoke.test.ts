import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatFleetTable } from './fleet-table';
import { runFleetBenchmark } from './run-fleet';

// A short run of the fleet benchmark: it checks that every phase completes and reports
// its figure, not how fast the server is. Speed goals belong to `npm run bench`.
const AGENTS = 200;
const INGESTS = 20;
const CONSOLE_HOSTS = 300;

let results: Record<string, Record<string, unknown>>;

beforeAll(async () => {
  // The benchmark creates and drops its own scratch database on the run's server.
  results = (await runFleetBenchmark(
    inject('databaseUrl'),
    { agents: AGENTS, concurrency: 8, connectRate: 0, seconds: 1, ingests: INGESTS, packages: 1500, fanoutAgents: AGENTS, consoleHosts: CONSOLE_HOSTS },
    () => {},
  )) as Record<string, Record<string, unknown>>;
}, 600_000);

afterAll(() => {
  if (results) console.log(formatFleetTable(results));
});

describe('fleet benchmark, short run', () => {
  it('completes handshakes on both servers', () => {
    const handshakes = results.handshakes as { listener: { failures: number; handshakes: number }; ceiling: { handshakes: number }; ratio: number };
    expect(handshakes.listener.failures).toBe(0);
    expect(handshakes.listener.handshakes).toBeGreaterThan(0);
    expect(handshakes.ceiling.handshakes).toBeGreaterThan(0);
    expect(handshakes.ratio).toBeGreaterThan(0);
  });

  it('ingests every full inventory and copies the ceiling rows', () => {
    const ingest = results.ingest as { checkIns: number; failures: number; ceiling: { rows: number; perSecond: number }; ratio: number };
    expect(ingest.failures).toBe(0);
    expect(ingest.checkIns).toBe(INGESTS);
    expect(ingest.ceiling.rows).toBe((INGESTS / 2) * (1500 + 20));
    expect(ingest.ceiling.perSecond).toBeGreaterThan(0);
    expect(ingest.ratio).toBeGreaterThan(0);
  });

  it('answers unchanged check-ins and measures their CPU', () => {
    const unchanged = results.unchanged as { checkIns: number; failures: number; serverCpuMsPerCheckIn: number };
    expect(unchanged.failures).toBe(0);
    expect(unchanged.checkIns).toBeGreaterThan(0);
    expect(unchanged.serverCpuMsPerCheckIn).toBeGreaterThanOrEqual(0);
  });

  it('opens every channel and measures memory', () => {
    const channels = results.channels as { connected: number; kibPerChannel: number; serverRssBeforeMiB: number; serverRssAfterMiB: number };
    expect(channels.connected).toBe(AGENTS);
    expect(channels.serverRssBeforeMiB).toBeGreaterThan(0);
    expect(channels.serverRssAfterMiB).toBeGreaterThan(0);
    // With a few hundred channels, garbage collection can shrink RSS, so the figure may be negative.
    expect(Number.isFinite(channels.kibPerChannel)).toBe(true);
  });

  it('delivers the fan-out job to every agent', () => {
    const fanout = results.fanout as { received: number; allMs: number | null };
    expect(fanout.received).toBe(AGENTS);
    expect(fanout.allMs).not.toBeNull();
  });

  it('restores every agent after the restart', () => {
    const storm = results.storm as {
      reconnected: number;
      allBackSecondsAfterStart: number | null;
      jobHostStatuses: Record<string, number>;
      otherDisconnects: Record<string, number>;
      tlsSessions: { resumed: number; full: number };
    };
    expect(storm.reconnected).toBe(AGENTS);
    // The restarted server reads the same session ticket keys, so every agent resumes its TLS session.
    expect(storm.tlsSessions).toEqual({ resumed: AGENTS, full: 0 });
    expect(storm.allBackSecondsAfterStart).not.toBeNull();
    expect(storm.jobHostStatuses).toEqual({ succeeded: AGENTS });
    expect(storm.otherDisconnects).toEqual({});
  });

  it('times the three console reads', () => {
    const consoleReads = results.console as { rows: { hosts: number }; reads: { name: string; p95Ms: number }[] };
    expect(consoleReads.rows.hosts).toBe(CONSOLE_HOSTS);
    expect(consoleReads.reads.map((read) => read.name)).toEqual(['hosts list (first page of 50)', 'host detail', 'dashboard']);
    for (const read of consoleReads.reads) expect(read.p95Ms).toBeGreaterThan(0);
  });

  it('prints a table row for every figure', () => {
    const table = formatFleetTable(results);
    for (const figure of ['mTLS handshakes/s', 'full inventory ingests/s', 'unchanged check-ins/s', 'server memory per idle channel', 'job fan-out', 'reconnect storm', 'console hosts list', 'console host detail', 'console dashboard']) {
      expect(table).toContain(figure);
    }
  });
});
