import Link from 'next/link';
import { ShieldAlert } from 'lucide-react';
import { getLastAuditVerification } from '@/lib/audit/verify-audit-log';
import { consoleContext } from '@/lib/console-context';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';

/**
 * Shows a warning banner while the latest audit chain verification (scheduled
 * or on request) failed, and renders nothing otherwise. Meant for the layout.
 */
export async function AuditAlertBanner() {
  const ctx = await consoleContext();
  const last = await getLastAuditVerification(ctx);
  if (!last || last.integrity) {
    return null;
  }

  return (
    <Alert variant="destructive" data-testid="audit-alert-banner">
      <ShieldAlert aria-hidden />
      <AlertTitle>Audit log verification failed</AlertTitle>
      <AlertDescription>
        The check at {last.checkedAt.slice(0, 16).replace('T', ' ')} UTC found the chain broken at row {last.firstBroken?.id ?? '?'}:{' '}
        {last.firstBroken?.reason ?? 'unknown reason'}. Treat the audit log as tampered with until this is explained.{' '}
        <Link className="font-medium underline" href="/audit">
          Open the audit log
        </Link>
      </AlertDescription>
    </Alert>
  );
}
