// POST /api/v1/reports/audit/verify – verifies the audit hash chain and the signed checkpoints now.
import { auditPaths } from '@/lib/audit/checkpoint-files';
import { verifyAuditLog } from '@/lib/audit/verify-audit-log';
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  await readEmptyBody(request);

  const runtime = getRuntime();
  const outcome = await verifyAuditLog(ctx, { paths: auditPaths(runtime.config), log: runtime.log, trigger: 'request' });
  return Response.json(outcome);
});
