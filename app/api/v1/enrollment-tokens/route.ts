// POST /api/v1/enrollment-tokens – creates an enrollment token, optionally bound to a group; the token and enroll command are returned once.
// GET /api/v1/enrollment-tokens – lists enrollment tokens with the name of their group, without the tokens.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { createEnrollmentToken } from '@/lib/enrollment/create-enrollment-token';
import { listEnrollmentTokens } from '@/lib/enrollment/list-enrollment-tokens';
import { ValidationError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  const body = await readJsonRequest(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: expected a JSON object', { field: 'body' });
  }
  const created = await createEnrollmentToken(ctx, body);
  return Response.json(created, { status: 201, headers: { 'cache-control': 'no-store' } });
});

export const GET = apiRoute(async (_request, ctx) => Response.json(await listEnrollmentTokens(ctx)));
