// GET /api/v1/commands – lists the approved pre/post commands. POST /api/v1/commands – approves a command (Admin).
import { createCommand, type CreateCommandInput } from '@/lib/commands/create-command';
import { listCommands } from '@/lib/commands/list-commands';
import { ValidationError } from '@/lib/errors';
import { apiRoute, readJsonRequest } from '@/lib/http/api';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => {
  return Response.json({ items: await listCommands(ctx) });
});

export const POST = apiRoute(async (request, ctx) => {
  const body = await readJsonRequest(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: expected a JSON object', { field: 'body' });
  }
  const command = await createCommand(ctx, body as CreateCommandInput);
  return Response.json(command, { status: 201, headers: { location: `/api/v1/commands/${command.id}` } });
});
