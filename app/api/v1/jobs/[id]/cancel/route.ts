// POST /api/v1/jobs/{id}/cancel – cancels a queued or running job: unstarted hosts never start, running agents stop at a safe point.
import { apiRoute } from '@/lib/http/api';
import { cancelJob } from '@/lib/patching/cancel-job';

export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>(async (_request, ctx, params) => {
  return Response.json(await cancelJob(ctx, { jobId: params.id }));
});
