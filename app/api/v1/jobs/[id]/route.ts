// GET /api/v1/jobs/{id} – a job with per-host status, exit code, failure cause and package changes (for a dry run, the changes a real run would make).
import { apiRoute } from '@/lib/http/api';
import { getJob } from '@/lib/patching/get-job';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (_request, ctx, params) => {
  return Response.json(await getJob(ctx, { jobId: params.id }));
});
