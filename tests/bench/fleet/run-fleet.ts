import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import postgres from 'postgres';
import type { Context } from '@/lib/context';
import { openDatabase } from '@/lib/db/client';
import { crlPem, latestCrl } from '@/lib/certificates/publish-crl';
import { createJob } from '@/lib/patching/create-job';
import { readCaKey } from '@/lib/pki/ca-key';
import { timeConsoleReads, seedConsoleFleet } from './console';
import { readCpuMs, readRssBytes, startFleetServer } from './fleet-server';
import { round, runHandshakes, startBareTlsServer } from './handshakes';
import { copyInventories, postInventories } from './ingest';
import { buildFleetInventory } from './inventory';
import { issueAgents } from './issue-agents';
import { sleep, SimFleet } from './sim-fleet';
import type { FleetOptions } from './fleet-options';

const JOB_LIMITS = { defaultTimeoutSeconds: 600, hostWaitSeconds: 600 };

/**
 * Runs the fleet benchmark against the real server (server.ts as a child process) on a
 * scratch database created on `serverUrl`, and returns every figure with its ceiling.
 * Phases run in order: certificates, handshakes, full ingests, unchanged check-ins,
 * idle channels, job fan-out, a reconnect storm after a server restart, console reads.
 */
export async function runFleetBenchmark(serverUrl: string, options: FleetOptions, progress: (line: string) => void): Promise<Record<string, unknown>> {
  const name = `pm_fleet_${Math.random().toString(16).slice(2, 10)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;

  if (options.cpuProfileDir) fs.mkdirSync(options.cpuProfileDir, { recursive: true });
  const server = await startFleetServer({ databaseUrl: url.toString(), cpuProfileDir: options.cpuProfileDir });
  const database = openDatabase(url.toString(), { max: 4, applicationName: 'pm-bench-fleet' });
  const ctx: Context = { actor: { kind: 'system', name: 'bench' }, db: database.db };
  const results: Record<string, unknown> = { options };
  let fleet: SimFleet | null = null;

  try {
    progress(`issuing ${options.agents} agent certificates`);
    let started = performance.now();
    const caKeyPem = await readCaKey(server.dataDir);
    const agents = await issueAgents(database.sql, { count: options.agents, caCertPem: server.caCertPem, caKeyPem });
    results.issue = { agents: agents.length, seconds: round((performance.now() - started) / 1000, 1) };

    progress('measuring mTLS handshakes: agent listener and a bare TLS server, alternating');
    const crl = await latestCrl(database.db);
    const handshakeIdentities = agents.slice(0, Math.min(agents.length, 500));
    const bare = await startBareTlsServer({
      caCertPem: server.caCertPem,
      certPem: fs.readFileSync(path.join(server.dataDir, 'tls', 'web.pem'), 'utf8'),
      keyPem: fs.readFileSync(path.join(server.dataDir, 'tls', 'web.key'), 'utf8'),
      crlPem: crl ? crlPem(crl.der) : undefined,
    });
    const handshakeRun = (port: number, seconds: number) =>
      runHandshakes({ port, caCertPem: server.caCertPem, identities: handshakeIdentities, concurrency: options.concurrency, durationMs: seconds * 1000 });
    // Warm-up runs, not counted, then two alternating rounds so both servers see the same background load.
    await handshakeRun(server.agentPort, 1);
    await handshakeRun(bare.port, 1);
    const listenerRuns = [];
    const bareRuns = [];
    for (let round = 0; round < 2; round++) {
      listenerRuns.push(await handshakeRun(server.agentPort, options.seconds));
      bareRuns.push(await handshakeRun(bare.port, options.seconds));
    }
    await bare.stop();
    const listenerRun = listenerRuns.reduce((best, run) => (run.perSecond > best.perSecond ? run : best));
    const bareRun = bareRuns.reduce((best, run) => (run.perSecond > best.perSecond ? run : best));
    results.handshakes = {
      listener: listenerRun,
      ceiling: bareRun,
      listenerRoundsPerSecond: listenerRuns.map((run) => run.perSecond),
      ceilingRoundsPerSecond: bareRuns.map((run) => run.perSecond),
      ratio: round(listenerRun.perSecond / bareRun.perSecond, 2),
      goal: 0.8,
    };

    progress(`posting ${options.ingests} full inventories of ${options.packages} packages`);
    const inventory = buildFleetInventory(options.packages);
    const ingestAgents = agents.slice(0, Math.min(agents.length, options.ingests));
    // Two alternating rounds over the two halves of the agents, so both figures see the same background load.
    const ingestRounds = [];
    const copyRounds = [];
    const half = Math.ceil(ingestAgents.length / 2);
    for (const group of [ingestAgents.slice(0, half), ingestAgents.slice(half)].filter((part) => part.length > 0)) {
      ingestRounds.push(
        await postInventories({
          port: server.agentPort,
          caCertPem: server.caCertPem,
          agents: group,
          report: (agent) => inventory.full(agent.hostname),
          concurrency: options.concurrency,
          expectWritten: true,
        }),
      );
      copyRounds.push(await copyInventories(database.sql, inventory, group.map((agent) => agent.hostId)));
    }
    const ingestRun = ingestRounds.reduce((best, run) => (run.perSecond > best.perSecond ? run : best));
    const copyRun = copyRounds.reduce((best, run) => (run.perSecond > best.perSecond ? run : best));
    results.ingest = {
      listener: ingestRun,
      ceiling: copyRun,
      listenerRoundsPerSecond: ingestRounds.map((run) => run.perSecond),
      ceilingRoundsPerSecond: copyRounds.map((run) => run.perSecond),
      checkIns: ingestRounds.reduce((sum, run) => sum + run.checkIns, 0),
      failures: ingestRounds.reduce((sum, run) => sum + run.failures, 0),
      ratio: round(ingestRun.perSecond / copyRun.perSecond, 2),
      goal: 0.5,
    };

    progress('posting unchanged check-ins');
    const cpuBefore = readCpuMs(server.pid());
    const unchangedRun = await postInventories({
      port: server.agentPort,
      caCertPem: server.caCertPem,
      agents: ingestAgents,
      report: (agent) => inventory.unchanged(agent.hostname),
      concurrency: options.concurrency,
      rounds: Number.MAX_SAFE_INTEGER,
      durationMs: options.seconds * 1000,
      expectWritten: false,
    });
    const cpuMs = readCpuMs(server.pid()) - cpuBefore;
    results.unchanged = {
      ...unchangedRun,
      serverCpuMs: cpuMs,
      serverCpuMsPerCheckIn: round(cpuMs / Math.max(1, unchangedRun.checkIns), 2),
      // The handshake run above gives the share of the TLS handshake in each check-in.
      ceilingPerSecond: listenerRun.perSecond,
    };

    // A freshly started server gives the memory baseline; the earlier phases leave garbage that a later collection would free.
    progress(`restarting the server, then opening ${agents.length} agent channels`);
    await server.stop();
    await server.start();
    await sleep(5000);
    const rssBefore = readRssBytes(server.pid());
    fleet = new SimFleet({ agentPort: server.agentPort, caCertPem: server.caCertPem, identities: agents });
    const opened = await fleet.connectAll({ concurrency: options.concurrency, ratePerSecond: options.connectRate, timeoutMs: 300_000 });
    await sleep(10_000);
    const rssAfter = readRssBytes(server.pid());
    const perChannel = (rssAfter - rssBefore) / Math.max(1, opened.connected);
    results.channels = {
      connected: opened.connected,
      openSeconds: round(opened.seconds, 1),
      serverRssBeforeMiB: round(rssBefore / 2 ** 20, 1),
      serverRssAfterMiB: round(rssAfter / 2 ** 20, 1),
      kibPerChannel: round(perChannel / 1024, 1),
      projectedRssFor10000MiB: round((rssBefore + perChannel * 10_000) / 2 ** 20, 0),
      ceilingMiB: 1024,
    };

    progress('creating a job for the fan-out agents');
    fleet.phase = 'fan-out';
    const fanoutHosts = agents.slice(0, Math.min(agents.length, options.fanoutAgents)).map((agent) => agent.hostId);
    started = performance.now();
    const fanoutJob = await createJob(ctx, { hostIds: fanoutHosts, action: 'upgrade-all' }, JOB_LIMITS);
    const createdMs = performance.now() - started;
    const receipts = await fleet.waitForJob(fanoutJob.id, fanoutHosts.length, 60_000);
    results.fanout = {
      agents: fanoutHosts.length,
      received: receipts.length,
      createJobMs: round(createdMs, 0),
      medianMs: receipts.length ? round(receipts[Math.floor(receipts.length / 2)]! - started, 0) : null,
      allMs: receipts.length === fanoutHosts.length ? round(receipts.at(-1)! - started, 0) : null,
      goalMs: 2000,
    };

    results.storm = await runStorm(ctx, database.sql, server, fleet, progress);
    await fleet.stop();
    fleet = null;

    if (options.consoleHosts === 0) return results;
    progress(`seeding the console fleet to ${options.consoleHosts} hosts of ${options.packages} packages`);
    started = performance.now();
    const rows = await seedConsoleFleet(database, { hostCount: options.consoleHosts, packagesPerHost: options.packages });
    const seedSeconds = round((performance.now() - started) / 1000, 1);
    const hostIds = (await database.sql<{ id: string }[]>`select id from hosts order by id limit 1000`).map((row) => row.id);
    results.console = { rows, seedSeconds, goalP95Ms: 200, reads: await timeConsoleReads(ctx, hostIds, 20) };
    return results;
  } finally {
    await fleet?.stop();
    await server.dispose();
    await database.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/**
 * Gives every connected agent a job, restarts the server while each agent keeps its
 * result, and measures how long the fleet takes to come back and report every result.
 */
async function runStorm(
  ctx: Context,
  sql: postgres.Sql,
  server: Awaited<ReturnType<typeof startFleetServer>>,
  fleet: SimFleet,
  progress: (line: string) => void,
): Promise<Record<string, unknown>> {
  progress('reconnect storm: a job for every agent, then a server restart');
  fleet.phase = 'storm-job';
  fleet.holdResults = true;
  const connected = fleet.agents.filter((agent) => agent.channel.connected);
  const hostIds = connected.map((agent) => agent.identity.hostId);
  const started = performance.now();
  const job = await createJob(ctx, { hostIds, action: 'upgrade-all' }, JOB_LIMITS);
  const receipts = await fleet.waitForJob(job.id, hostIds.length, 120_000);
  const fleetFanoutMs = receipts.length === hostIds.length ? round(receipts.at(-1)! - started, 0) : null;

  fleet.phase = 'storm';
  // The simulated agents share this process's event loop; its delay shows how late they could send and read.
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const connectionsBefore = new Map(connected.map((agent) => [agent, agent.connections]));
  const stopStarted = performance.now();
  await server.stop();
  const stoppedMs = performance.now() - stopStarted;
  const startedAt = performance.now();
  await server.start();
  const readyAt = performance.now();
  fleet.holdResults = false;

  const deadline = readyAt + 180_000;
  let back = 0;
  while (performance.now() < deadline) {
    back = connected.filter((agent) => agent.connections > connectionsBefore.get(agent)! && agent.channel.connected).length;
    if (back === connected.length) break;
    await sleep(100);
  }
  const lastBack = Math.max(...connected.map((agent) => agent.lastConnectedAt));

  let statuses: Record<string, number> = {};
  const jobDeadline = performance.now() + 90_000;
  while (performance.now() < jobDeadline) {
    const rows = await sql<{ status: string; count: number }[]>`
      select status, count(*)::int as count from job_hosts where job_id = ${job.id} group by status`;
    statuses = Object.fromEntries(rows.map((row) => [row.status, row.count]));
    if ((statuses.succeeded ?? 0) === hostIds.length) break;
    await sleep(500);
  }
  const resultsSeconds = (performance.now() - readyAt) / 1000;
  loopDelay.disable();

  const reasons = Object.fromEntries(fleet.disconnects.get('storm') ?? []);
  let refused = 0;
  let shutdown = 0;
  const other: Record<string, number> = {};
  for (const [reason, count] of Object.entries(reasons)) {
    if (reason.includes('ECONNREFUSED')) refused += count;
    else if (reason.startsWith('1001 ')) shutdown += count;
    else other[reason] = count;
  }
  const serverWarnings: Record<string, number> = {};
  for (const line of server.output().split('\n')) {
    const match = /"level":(40|50|60).*"msg":"([^"]*)"/.exec(line);
    if (!match) continue;
    const cause = /"err":\{.*?"message":"([^"]{0,120})/.exec(line)?.[1];
    const key = `${match[1]} ${match[2]}${cause ? `: ${cause}` : ''}`;
    serverWarnings[key] = (serverWarnings[key] ?? 0) + 1;
  }

  return {
    agents: connected.length,
    fleetFanoutMs,
    stopSeconds: round(stoppedMs / 1000, 1),
    restartSeconds: round((readyAt - stopStarted - stoppedMs) / 1000, 1),
    reconnected: back,
    // From the new process's spawn: includes its start, during which agents already reconnect and wait.
    allBackSecondsAfterStart: back === connected.length ? round((lastBack - startedAt) / 1000, 1) : null,
    allBackSecondsAfterReady: back === connected.length ? round((lastBack - readyAt) / 1000, 1) : null,
    goalSeconds: 60,
    jobHostStatuses: statuses,
    resultsSecondsAfterReady: round(resultsSeconds, 1),
    closedByShutdown: shutdown,
    refusedThenRetried: refused,
    tlsSessions: fleet.connects.get('storm') ?? { resumed: 0, full: 0 },
    otherDisconnects: other,
    serverLogWarningsAndErrors: serverWarnings,
    simulatorLoopDelayMs: { p99: round(loopDelay.percentile(99) / 1e6, 0), max: round(loopDelay.max / 1e6, 0) },
  };
}
