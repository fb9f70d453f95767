import type { Metadata } from 'next';
import { z } from 'zod';
import { requireUser } from '@/lib/console-context';
import { nameChosenHosts, toChoosableHost } from '@/lib/hosts/choosable-hosts';
import { listHosts } from '@/lib/hosts/list-hosts';
import { listCommands } from '@/lib/commands/list-commands';
import { listTargetGroups } from '@/lib/patching/list-target-groups';
import { JobForm } from '@/components/job-form';
import { createJobAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New patch job' };

const SHOWN_HOSTS = 200;
// Chosen hosts outside the current search are looked up one by one for their
// names, so only this many get a name; the rest stay chosen and show their id.
const NAMED_OTHER_HOSTS = 25;

const querySchema = z.object({
  q: z.string().trim().max(200).catch(''),
  host: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (value === undefined ? [] : [value].flat()))
    .transform((ids) => [...new Set(ids.filter((id) => z.uuid().safeParse(id).success))].slice(0, 1000))
    .catch([]),
});

export default async function NewJobPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = querySchema.parse(await searchParams);
  const ctx = await requireUser();
  const result = await listHosts(ctx, { search: query.q || undefined, sort: 'security', page: 1, pageSize: SHOWN_HOSTS });

  const listedIds = new Set(result.items.map((host) => host.id));
  const otherIds = query.host.filter((id) => !listedIds.has(id));
  const knownOther = await nameChosenHosts(ctx, { hostIds: otherIds, namedLimit: NAMED_OTHER_HOSTS });
  const initialChosen = [...query.host.filter((id) => listedIds.has(id)), ...knownOther.map((host) => host.id)];
  const [groups, commands] = await Promise.all([listTargetGroups(ctx), listCommands(ctx)]);

  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">New patch job</h1>
        <p className="text-sm text-muted-foreground">Choose hosts, an action and how to roll it out. Output streams live on the job page once the job starts.</p>
      </div>
      <JobForm
        action={createJobAction}
        hosts={result.items.map(toChoosableHost)}
        matchingCount={result.total}
        otherChosen={knownOther}
        initialChosen={initialChosen}
        search={query.q}
        groups={groups}
        commands={commands.map((command) => ({ id: command.id, name: command.name }))}
      />
    </div>
  );
}
