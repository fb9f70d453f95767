// POST /api/v1/enrollment-tokens/{id}/revoke – revokes an enrollment token, so enrollment and the agent downloads reject it (Admin).
import { revokeEnrollmentToken } from '@/lib/enrollment/revoke-enrollment-token';
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';

export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>(async (request, ctx, params) => {
  await readEmptyBody(request);

  return Response.json(await revokeEnrollmentToken(ctx, { tokenId: params.id }));
});
