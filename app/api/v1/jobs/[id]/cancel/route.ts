// POST /api/v1/jobs/{id}/cancel – cancels a queued or running job: unstarted hosts never start, running agents stop at a safe point.
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { cancelJob } from '@/lib/patching/cancel-job';

export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>(async (request, ctx, params) => {
  await readEmptyBody(request);

  return Response.json(await cancelJob(ctx, { jobId: params.id }));
});
