// GET /api/v1/hosts/os-names – the OS names of the visible hosts, for the `os` filter of GET /api/v1/hosts.
import { apiRoute } from '@/lib/http/api';
import { checkQueryParameters } from '@/lib/http/query';
import { listHostOsNames } from '@/lib/hosts/list-host-os-names';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (request, ctx) => {
  checkQueryParameters(new URL(request.url).searchParams, []);
  return Response.json({ items: await listHostOsNames(ctx) });
});
