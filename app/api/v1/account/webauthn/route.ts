// POST /api/v1/account/webauthn – verifies and stores a new security key from the browser's registration response.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { finishAccountWebAuthn } from '@/lib/account/manage-factors';
import { signInServices } from '@/lib/auth/sign-in/services';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  const { rpId, origin } = signInServices();
  const credential = await finishAccountWebAuthn(ctx, await readJsonRequest(request, 64 * 1024), { rpId, origin });
  return Response.json(credential, { status: 201 });
});
