import type { Context } from '@/lib/context';
import { computeComplianceByGroup } from './compliance-by-group';
import { computeComplianceByOs, type ComplianceRow } from './compliance-by-os';
import { csvStream } from './csv';
import { upToDatePercent } from './host-state-counts';
import { listComplianceHistory } from './list-compliance-history';
import type { ReportPeriod } from './report-period';

export const COMPLIANCE_CSV_COLUMNS = [
  'date',
  'taken_at',
  'scope',
  'os_name',
  'os_version',
  'hosts',
  'up_to_date',
  'behind',
  'offline',
  'awaiting_inventory',
  'with_security_updates',
  'reboot_pending',
  'up_to_date_percent',
  'group_name',
] as const;

function cells(row: ComplianceRow, date: string, takenAt: Date): (string | number | null)[] {
  return [
    date,
    takenAt.toISOString(),
    row.scope,
    row.osName,
    row.osVersion,
    row.hosts,
    row.upToDate,
    row.behind,
    row.offline,
    row.awaitingInventory,
    row.withSecurity,
    row.rebootPending,
    upToDatePercent(row),
    row.groupName,
  ];
}

/**
 * Streams the compliance report as CSV: without a period, the current figures
 * (overall, per OS release and per host group) of the hosts the actor may see;
 * with one, every stored daily snapshot row of the period that the actor may
 * read (listComplianceHistory). Cells that a spreadsheet would run as a formula are prefixed
 * with `'`.
 */
export function exportComplianceCsv(ctx: Context, options: { period: ReportPeriod | null; now?: Date }): ReadableStream<Uint8Array> {
  let done = false;

  return csvStream(COMPLIANCE_CSV_COLUMNS, async () => {
    if (done) {
      return null;
    }
    done = true;

    if (options.period === null) {
      const now = options.now ?? new Date();
      const rows = [...(await computeComplianceByOs(ctx)), ...(await computeComplianceByGroup(ctx))];
      return rows.map((row) => cells(row, now.toISOString().slice(0, 10), now));
    }
    // At most one row per OS release or group and day, so a period fits one batch.
    const rows = await listComplianceHistory(ctx, { period: options.period, series: 'all' });
    return rows.map((row) => cells(row, row.snapshotDate, row.takenAt));
  });
}
