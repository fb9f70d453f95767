// POST /api/v1/account/webauthn – verifies and stores a new security key from the browser's registration response and the current password.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { finishAccountWebAuthn } from '@/lib/account/manage-factors';
import { signInServices } from '@/lib/auth/sign-in/services';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  const { rpId, origin } = signInServices();
  const credential = await finishAccountWebAuthn(ctx, await readJsonRequest(request, 64 * 1024), { rpId, origin }, getRuntime().loginLimiter);
  return Response.json(credential, { status: 201 });
});
