// GET /api/v1/schedules/{id} – a schedule with its recent runs. PATCH – changes fields or enables/disables it. DELETE – removes it.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { ValidationError } from '@/lib/errors';
import { deleteSchedule } from '@/lib/schedules/delete-schedule';
import { getSchedule } from '@/lib/schedules/get-schedule';
import { updateSchedule } from '@/lib/schedules/update-schedule';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (_request, ctx, params) => {
  return Response.json(await getSchedule(ctx, { scheduleId: params.id }));
});

export const PATCH = apiRoute<{ id: string }>(async (request, ctx, params) => {
  const body = await readJsonRequest(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: expected a JSON object', { field: 'body' });
  }
  return Response.json(await updateSchedule(ctx, { scheduleId: params.id, changes: body as Parameters<typeof updateSchedule>[1]['changes'] }));
});

export const DELETE = apiRoute<{ id: string }>(async (request, ctx, params) => {
  await readEmptyBody(request);

  await deleteSchedule(ctx, { scheduleId: params.id });
  return new Response(null, { status: 204 });
});
