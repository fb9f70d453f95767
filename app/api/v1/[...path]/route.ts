// Any /api/v1 path without a route – a JSON 404, so API clients never get the HTML error page.
import { NotFoundError } from '@/lib/errors';
import { errorResponse } from '@/lib/http/api';

export const dynamic = 'force-dynamic';

function notFound(request: Request): Response {
  return errorResponse(new NotFoundError(`no API route ${request.method} ${new URL(request.url).pathname}`));
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
