// DELETE /api/v1/commands/{id} – removes a command from the approved list (Admin).
import { deleteCommand } from '@/lib/commands/delete-command';
import { apiRoute } from '@/lib/http/api';

export const dynamic = 'force-dynamic';

export const DELETE = apiRoute<{ id: string }>(async (_request, ctx, params) => {
  await deleteCommand(ctx, { commandId: params.id });
  return new Response(null, { status: 204 });
});
