// DELETE /api/v1/commands/{id} – removes a command from the approved list (Admin).
import { deleteCommand } from '@/lib/commands/delete-command';
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';

export const dynamic = 'force-dynamic';

export const DELETE = apiRoute<{ id: string }>(async (request, ctx, params) => {
  await readEmptyBody(request);

  await deleteCommand(ctx, { commandId: params.id });
  return new Response(null, { status: 204 });
});
