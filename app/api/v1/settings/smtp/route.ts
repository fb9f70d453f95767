// GET /api/v1/settings/smtp – the SMTP settings without the password (Admin).
// PUT /api/v1/settings/smtp – replaces them; an absent password keeps the stored one, null removes it (Admin, audited).
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { getSmtpSettings } from '@/lib/notifications/get-smtp-settings';
import type { SmtpSettingsInput } from '@/lib/notifications/smtp-settings';
import { updateSmtpSettings } from '@/lib/notifications/update-smtp-settings';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => {
  return Response.json(await getSmtpSettings(ctx), { headers: { 'cache-control': 'no-store' } });
});

export const PUT = apiRoute(async (request, ctx) => {
  const body = (await readJsonRequest(request)) as SmtpSettingsInput;
  return Response.json(await updateSmtpSettings(ctx, body), { headers: { 'cache-control': 'no-store' } });
});
