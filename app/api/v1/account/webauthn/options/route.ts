// POST /api/v1/account/webauthn/options – returns the WebAuthn creation options for a new security key.
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { startAccountWebAuthn } from '@/lib/account/manage-factors';
import { signInServices } from '@/lib/auth/sign-in/services';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  await readEmptyBody(request);

  const options = await startAccountWebAuthn(ctx, { rpId: signInServices().rpId, rpName: 'Patch Manager' });
  return Response.json(options, { headers: { 'cache-control': 'no-store' } });
});
