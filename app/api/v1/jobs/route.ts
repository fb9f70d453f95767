// POST /api/v1/jobs – starts a patch job on chosen hosts. GET /api/v1/jobs – lists jobs newest first.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { createJob } from '@/lib/patching/create-job';
import { listJobs } from '@/lib/patching/list-jobs';
import { checkQueryParameters, intParam } from '@/lib/http/query';
import { ValidationError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  const body = await readJsonRequest(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: expected a JSON object', { field: 'body' });
  }
  const job = await createJob(ctx, body as Parameters<typeof createJob>[1]);
  return Response.json(job, { status: 201, headers: { location: `/api/v1/jobs/${job.id}` } });
});

export const GET = apiRoute(async (request, ctx) => {
  const query = new URL(request.url).searchParams;
  checkQueryParameters(query, ['page', 'pageSize']);
  return Response.json(await listJobs(ctx, { page: intParam(query, 'page', 1), pageSize: intParam(query, 'pageSize', 50) }));
});
