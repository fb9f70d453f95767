import type { Metadata } from 'next';
import { requireAdmin } from '@/lib/console-context';
import { listGroupsWithWindows } from '@/lib/maintenance/list-groups-with-windows';
import { MaintenanceWindowEditor } from '@/components/maintenance-window-editor';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { timeZoneChoices } from '@/app/schedules/time-zones';
import { saveMaintenanceWindowsAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Maintenance windows' };

export default async function MaintenanceWindowsPage() {
  const ctx = await requireAdmin();
  const groups = await listGroupsWithWindows(ctx);
  const zones = timeZoneChoices();

  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Maintenance windows</h1>
        <p className="text-sm text-muted-foreground">
          A host in a group with windows starts patching only while one of its groups&apos; windows is open. Each window opens at its local start time on the chosen days and lasts the
          given minutes.
        </p>
      </div>
      {groups.length === 0 && <p className="text-sm text-muted-foreground">No host groups yet.</p>}
      {groups.map((group) => (
        <Card key={group.groupId}>
          <CardHeader>
            <CardTitle>{group.groupName}</CardTitle>
            <CardDescription>
              {group.hostCount} {group.hostCount === 1 ? 'host' : 'hosts'}
            </CardDescription>
          </CardHeader>
          <CardContent>
            <MaintenanceWindowEditor
              groupId={group.groupId}
              initial={group.windows.map(({ id: _id, ...window }) => window)}
              timeZones={[...new Set([...zones, ...group.windows.map((window) => window.timeZone)])]}
              action={saveMaintenanceWindowsAction}
            />
          </CardContent>
        </Card>
      ))}
    </div>
  );
}
