// PATCH /api/v1/account/webauthn/{id} – renames a security key; DELETE removes it, with the current password in the JSON body, unless it is the last factor.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { removeAccountWebAuthn, renameAccountWebAuthn } from '@/lib/account/manage-factors';
import { ValidationError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const PATCH = apiRoute<{ id: string }>(async (request, ctx, params) => {
  const body = await readJsonRequest(request, 16 * 1024);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: expected a JSON object', { field: 'body' });
  }
  await renameAccountWebAuthn(ctx, { ...body, credentialId: params.id });
  return new Response(null, { status: 204 });
});

export const DELETE = apiRoute<{ id: string }>(async (request, ctx, params) => {
  const body = await readJsonRequest(request, 16 * 1024);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: expected a JSON object with currentPassword', { field: 'body' });
  }
  await removeAccountWebAuthn(ctx, { ...body, credentialId: params.id }, getRuntime().loginLimiter);
  return new Response(null, { status: 204 });
});
