import type { Context } from '@/lib/context';
import { NotFoundError } from '@/lib/errors';
import { getHost } from './get-host';
import type { HostSummary } from './list-hosts';

/** A host that a job's host list offers, with the counts it shows. */
export interface ChoosableHost {
  id: string;
  hostname: string;
  os: string;
  status: string;
  securityCount: number;
  pendingCount: number;
}

/** Converts a host of listHosts into the form a job's host list shows. */
export function toChoosableHost(host: HostSummary): ChoosableHost {
  return {
    id: host.id,
    hostname: host.hostname,
    os: `${host.osName} ${host.osVersion}`.trim(),
    status: host.status,
    securityCount: host.securityCount,
    pendingCount: host.pendingCount,
  };
}

/**
 * Looks up the hostnames of chosen hosts that a form's host list does not show.
 * Only the first `namedLimit` hosts are looked up, one query each, and the rest
 * keep their id as the name. Hosts the actor cannot see (unknown, removed or
 * outside an Operator's groups) are left out.
 */
export async function nameChosenHosts(ctx: Context, input: { hostIds: string[]; namedLimit: number }): Promise<{ id: string; hostname: string }[]> {
  const named = await Promise.all(
    input.hostIds.map(async (id, index) => {
      if (index >= input.namedLimit) {
        return { id, hostname: id };
      }
      try {
        const host = await getHost(ctx, { hostId: id });
        return { id, hostname: host.hostname };
      } catch (error) {
        if (error instanceof NotFoundError) {
          return null;
        }
        throw error;
      }
    }),
  );
  return named.filter((host) => host !== null);
}
