import type { Context } from '@/lib/context';
import type { DatabaseHandle } from '@/lib/db/client';
import { getHost } from '@/lib/hosts/get-host';
import { listHosts } from '@/lib/hosts/list-hosts';
import { getDashboard } from '@/lib/reports/get-dashboard';
import { round } from './handshakes';

/** Server-side time of one console read, over `runs` calls. */
export interface ConsoleTiming {
  name: string;
  runs: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

/**
 * Fills the fleet up to `hostCount` hosts and `packagesPerHost` installed packages per
 * host, with the shape of the report benchmark (`tests/bench/reports.ts`): six OS
 * releases, pending updates with about one in five a security update, and 60 days of jobs.
 * Hosts that already have packages or pending updates (the simulated agents' ingests) keep them.
 */
export async function seedConsoleFleet(database: DatabaseHandle, options: { hostCount: number; packagesPerHost: number }): Promise<Record<string, number>> {
  const sql = database.sql;
  await sql`
    insert into hosts (hostname, os_name, os_version, status, inventory_at, last_seen_at, pending_count, security_count, reboot_required)
    select 'host-' || g,
      (array['Debian GNU/Linux', 'Ubuntu', 'Rocky Linux', 'AlmaLinux', 'openSUSE Leap', 'Fedora Linux'])[1 + g % 6],
      (array['12', '24.04', '9', '9', '15.6', '41'])[1 + g % 6],
      case when g % 20 = 0 then 'offline' when g % 100 = 1 then 'pending' else 'online' end,
      case when g % 100 = 1 then null else now() end, now(),
      case when g % 100 = 1 then 0 else (g * 7919) % 61 end, 0,
      case when g % 10 = 0 then 'yes' when g % 10 = 1 then 'unknown' else 'no' end
    from generate_series(1, greatest(0, ${options.hostCount} - (select count(*) from hosts))) g`;
  // Simulated agents that sent no inventory get the same spread of OS releases and pending updates.
  await sql`
    update hosts h set
      os_name = (array['Debian GNU/Linux', 'Ubuntu', 'Rocky Linux', 'AlmaLinux', 'openSUSE Leap', 'Fedora Linux'])[1 + s.n % 6],
      os_version = (array['12', '24.04', '9', '9', '15.6', '41'])[1 + s.n % 6],
      inventory_at = now(), pending_count = (s.n * 7919) % 61,
      reboot_required = case when s.n % 10 = 0 then 'yes' when s.n % 10 = 1 then 'unknown' else 'no' end
    from (select id, row_number() over (order by hostname) as n from hosts where inventory_at is null and hostname like 'sim-%') s
    where h.id = s.id`;
  await sql`
    insert into host_updates (host_id, name, arch, candidate, security, first_seen_at)
    select h.id, 'update-' || u, 'amd64', '2.0', (u + length(h.hostname)) % 5 = 0, now() - ((u * 13 + length(h.hostname) * 7) % 200) * interval '1 day'
    from hosts h, generate_series(1, h.pending_count) u
    where not exists (select 1 from host_updates x where x.host_id = h.id)`;
  await sql`
    update hosts h set security_count = s.count
    from (select host_id, count(*)::int as count from host_updates where security group by host_id) s
    where s.host_id = h.id`;
  await sql`
    insert into host_packages (host_id, name, arch, version, state)
    select h.id, 'package-' || p, 'amd64', '1.0-' || p, 'installed'
    from hosts h, generate_series(1, ${options.packagesPerHost}) p
    where h.installed_count = 0 and not exists (select 1 from host_packages x where x.host_id = h.id)`;
  await sql`update hosts set installed_count = ${options.packagesPerHost} where installed_count = 0`;
  await sql`
    insert into jobs (action, status, timeout_seconds, created_by, created_at, finished_at, deadline_at)
    select 'upgrade-all', (array['succeeded', 'failed', 'cancelled', 'succeeded'])[1 + j % 4], 600, 'bench',
      now() - (j % 60) * interval '1 day' - interval '1 hour', now() - (j % 60) * interval '1 day', now()
    from generate_series(1, 6000) j`;
  await sql`
    insert into job_hosts (job_id, host_id, status, exit_code, duration_ms)
    select j.id, h.id, 'succeeded', 0, 1000
    from (select id, row_number() over () as n from jobs where created_by = 'bench') j
    join lateral (select id from hosts offset (j.n * 20) % greatest(${options.hostCount} - 20, 1) limit 20) h on true`;
  await sql`analyze`;

  const [counts] = await sql<{ hosts: number; packages: number; updates: number; job_hosts: number }[]>`
    select (select count(*)::int from hosts) as hosts, (select count(*)::int from host_packages) as packages,
      (select count(*)::int from host_updates) as updates, (select count(*)::int from job_hosts) as job_hosts`;
  return counts!;
}

/** Times the hosts list (first page, default order), one host's detail and the dashboard, `runs` times each. */
export async function timeConsoleReads(ctx: Context, hostIds: string[], runs: number): Promise<ConsoleTiming[]> {
  const time = async (name: string, run: (index: number) => Promise<unknown>): Promise<ConsoleTiming> => {
    await run(0);
    const durations: number[] = [];
    for (let index = 0; index < runs; index++) {
      const started = performance.now();
      await run(index);
      durations.push(performance.now() - started);
    }
    durations.sort((a, b) => a - b);
    const at = (fraction: number): number => round(durations[Math.min(durations.length - 1, Math.ceil(fraction * durations.length) - 1)]!, 1);
    return { name, runs, medianMs: at(0.5), p95Ms: at(0.95), maxMs: round(durations.at(-1)!, 1) };
  };

  return [
    await time('hosts list (first page of 50)', () => listHosts(ctx, { page: 1, pageSize: 50 })),
    await time('host detail', (index) => getHost(ctx, { hostId: hostIds[(index * 7919) % hostIds.length]! })),
    await time('dashboard', () => getDashboard(ctx)),
  ];
}
