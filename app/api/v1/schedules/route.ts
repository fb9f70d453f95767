// GET /api/v1/schedules – lists the schedules the caller may see. POST /api/v1/schedules – creates a one-off or recurring schedule.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { ValidationError } from '@/lib/errors';
import { createSchedule } from '@/lib/schedules/create-schedule';
import { listSchedules } from '@/lib/schedules/list-schedules';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => {
  return Response.json({ items: await listSchedules(ctx) });
});

export const POST = apiRoute(async (request, ctx) => {
  const body = await readJsonRequest(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: expected a JSON object', { field: 'body' });
  }
  const schedule = await createSchedule(ctx, body as Parameters<typeof createSchedule>[1]);
  return Response.json(schedule, { status: 201, headers: { location: `/api/v1/schedules/${schedule.id}` } });
});
