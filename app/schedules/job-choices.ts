import type { ListedHost } from '@/components/job-scope-fields';
import type { Context } from '@/lib/context';
import { listCommands } from '@/lib/commands/list-commands';
import { listHosts } from '@/lib/hosts/list-hosts';
import { nameChosenHosts, toChoosableHost } from '@/lib/hosts/choosable-hosts';
import { listTargetGroups } from '@/lib/patching/list-target-groups';

/** Hosts the schedule form lists, by hostname; the host list has no search, so this is the page size listHosts allows. */
const SHOWN_HOSTS = 500;
/** Stored chosen hosts beyond the listed ones that get their names, one query each; the rest show their id. */
const NAMED_OTHER_HOSTS = 25;

/**
 * Loads what the schedule form's job fields offer: hosts, groups and approved
 * commands. Stored hosts that the list lacks come first. A stored host the
 * actor cannot see any more stays chosen under its id, so saving reports it as
 * not found instead of dropping it without a word.
 */
export async function loadJobChoices(ctx: Context, chosenHostIds: string[]) {
  const [result, groups, commands] = await Promise.all([
    listHosts(ctx, { sort: 'hostname', page: 1, pageSize: SHOWN_HOSTS }),
    listTargetGroups(ctx),
    listCommands(ctx),
  ]);

  const listedIds = new Set(result.items.map((host) => host.id));
  const otherIds = chosenHostIds.filter((id) => !listedIds.has(id));
  const named = new Map((await nameChosenHosts(ctx, { hostIds: otherIds, namedLimit: NAMED_OTHER_HOSTS })).map((host) => [host.id, host.hostname]));

  const hosts: ListedHost[] = [
    ...otherIds.map((id) => ({ id, hostname: named.get(id) ?? id, os: '', status: '', securityCount: 0, pendingCount: 0, other: true })),
    ...result.items.map((host) => ({ ...toChoosableHost(host), other: false })),
  ];
  return { hosts, groups, commands: commands.map((command) => ({ id: command.id, name: command.name })) };
}
