// POST /api/v1/settings/smtp/test – sends a test email with the stored SMTP settings and returns the server's reply or error (Admin).
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { sendTestEmail } from '@/lib/notifications/send-test-email';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  await readEmptyBody(request);

  const result = await sendTestEmail(ctx, { log: getRuntime().log });
  return Response.json(result, { headers: { 'cache-control': 'no-store' } });
});
