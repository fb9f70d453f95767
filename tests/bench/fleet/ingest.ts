import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { InventoryReport } from '@/lib/agent-protocol/schema';
import type { Sql } from '@/lib/db/client';
import { httpsRequest } from '@/agent/https-request';
import { round } from './handshakes';
import type { FleetInventory } from './inventory';
import type { SimAgentIdentity } from './issue-agents';

/** Result of a run of inventory check-ins. */
export interface CheckInRun {
  checkIns: number;
  failures: number;
  seconds: number;
  perSecond: number;
  errors: string[];
}

/**
 * Posts one inventory per agent to `POST /agent/v1/inventory` the way the agent does (a new
 * mTLS connection per request, `agent/https-request.ts`), with `concurrency` requests in
 * flight. `report` builds each agent's body; `rounds` repeats the whole list, and
 * `durationMs` stops early once it has passed.
 */
export async function postInventories(options: {
  port: number;
  caCertPem: string;
  agents: SimAgentIdentity[];
  report: (agent: SimAgentIdentity) => InventoryReport;
  concurrency: number;
  rounds?: number;
  durationMs?: number;
  expectWritten: boolean;
}): Promise<CheckInRun> {
  const url = new URL('/agent/v1/inventory', `https://localhost:${options.port}`);
  const total = options.agents.length * (options.rounds ?? 1);
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs;
  let next = 0;
  let checkIns = 0;
  let failures = 0;
  const errors: string[] = [];

  const loop = async (): Promise<void> => {
    while (next < total && performance.now() < deadline) {
      const agent = options.agents[next++ % options.agents.length]!;
      try {
        const response = await httpsRequest({
          url,
          method: 'POST',
          json: options.report(agent),
          tls: { ca: options.caCertPem, cert: agent.certPem, key: agent.keyPem, rejectUnauthorized: true },
          timeoutMs: 60_000,
          maxResponseBytes: 64 * 1024,
        });
        const answer = response.status === 200 ? (JSON.parse(response.body) as { written: string[]; missing: string[] }) : null;
        const ok = answer !== null && answer.missing.length === 0 && (options.expectWritten ? answer.written.length === 4 : answer.written.length === 0);
        if (ok) {
          checkIns += 1;
        } else {
          failures += 1;
          if (errors.length < 5) errors.push(`HTTP ${response.status}: ${response.body.slice(0, 200)}`);
        }
      } catch (error) {
        failures += 1;
        if (errors.length < 5) errors.push(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));

  const seconds = (performance.now() - started) / 1000;
  return { checkIns, failures, seconds: round(seconds, 2), perSecond: round(checkIns / seconds, 1), errors };
}

/** Escapes one value for COPY's text format. */
function copyText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * The ceiling for full ingests: removes the packages and pending updates of `hostIds`
 * (not timed), then COPYs the same rows into host_packages and host_updates as one
 * stream per table, and returns hosts per second.
 */
export async function copyInventories(sql: Sql, inventory: FleetInventory, hostIds: string[]): Promise<{ hosts: number; rows: number; seconds: number; perSecond: number }> {
  const ids = JSON.stringify(hostIds);
  await sql`delete from host_packages where host_id in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))`;
  await sql`delete from host_updates where host_id in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))`;

  const packageLines = inventory.packages.map(
    (item) => `\t${copyText(item.name)}\t${copyText(item.arch)}\t${copyText(item.version)}\t${copyText(item.source)}\t${item.state}\t${item.held ? 't' : 'f'}\t${item.broken ? 't' : 'f'}\n`,
  );
  const updateLines = inventory.updates.map(
    (item) =>
      `\t${copyText(item.name)}\t${copyText(item.arch)}\t${item.installed === null ? '\\N' : copyText(item.installed)}\t${copyText(item.candidate)}\t${copyText(item.repository)}\t` +
      `${item.security ? 't' : 'f'}\t${item.held ? 't' : 'f'}\t${item.phased ? 't' : 'f'}\t{${item.advisories.map((advisory) => `"${advisory}"`).join(',')}}\n`,
  );
  // One chunk per host: the host id followed by that host's rows.
  function* rowsOf(lines: string[]): Generator<string> {
    for (const hostId of hostIds) yield lines.map((line) => hostId + line).join('');
  }

  const started = performance.now();
  await pipeline(
    Readable.from(rowsOf(packageLines)),
    await sql`copy host_packages (host_id, name, arch, version, source, state, held, broken) from stdin`.writable(),
  );
  await pipeline(
    Readable.from(rowsOf(updateLines)),
    await sql`copy host_updates (host_id, name, arch, installed, candidate, repository, security, held, phased, advisories) from stdin`.writable(),
  );
  const seconds = (performance.now() - started) / 1000;
  const rows = hostIds.length * (packageLines.length + updateLines.length);
  return { hosts: hostIds.length, rows, seconds: round(seconds, 2), perSecond: round(hostIds.length / seconds, 1) };
}
