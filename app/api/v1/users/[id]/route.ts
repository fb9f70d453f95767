// PATCH /api/v1/users/{id} – changes a user's role or disables or enables them. Admin only.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { updateUser } from '@/lib/users/update-user';
import { ValidationError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

export const PATCH = apiRoute<{ id: string }>(async (request, ctx, params) => {
  const body = await readJsonRequest(request, 16 * 1024);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: expected a JSON object', { field: 'body' });
  }
  await updateUser(ctx, { ...body, userId: params.id });
  return new Response(null, { status: 204 });
});
