// POST /api/v1/users/{id}/mfa-reset – deletes every second factor of a user and ends their sessions. Admin only.
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { resetUserMfa } from '@/lib/users/reset-user-mfa';

export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>(async (request, ctx, params) => {
  await readEmptyBody(request);

  await resetUserMfa(ctx, { userId: params.id });
  return new Response(null, { status: 204 });
});
