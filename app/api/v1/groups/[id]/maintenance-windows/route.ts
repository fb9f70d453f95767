// GET /api/v1/groups/{id}/maintenance-windows – the group's weekly windows. PUT – replaces them. Admin only, like the whole group API.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { ValidationError } from '@/lib/errors';
import { listMaintenanceWindows } from '@/lib/maintenance/list-maintenance-windows';
import { setMaintenanceWindows } from '@/lib/maintenance/set-maintenance-windows';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (_request, ctx, params) => {
  return Response.json(await listMaintenanceWindows(ctx, { groupId: params.id }));
});

export const PUT = apiRoute<{ id: string }>(async (request, ctx, params) => {
  const body = await readJsonRequest(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: expected a JSON object', { field: 'body' });
  }
  const windows = await setMaintenanceWindows(ctx, { groupId: params.id, request: body as Parameters<typeof setMaintenanceWindows>[1]['request'] });
  return Response.json(windows);
});
