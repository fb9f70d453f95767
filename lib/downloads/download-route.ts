import { headers } from 'next/headers';
import { errorResponse } from '@/lib/http/api';
import { CLIENT_ADDRESS_HEADER } from '@/lib/net/client-address';
import { getRuntime } from '@/lib/runtime';
import { AGENT_DOWNLOADS, authorizeDownload, readAgentDownload } from './agent-downloads';

/** Builds the GET handler of one /downloads/ file: authorize, then send the file as an attachment. */
export function downloadRoute(name: keyof typeof AGENT_DOWNLOADS): () => Promise<Response> {
  return async () => {
    try {
      const requestHeaders = new Headers(await headers());
      const address = requestHeaders.get(CLIENT_ADDRESS_HEADER) ?? 'unknown';
      const runtime = getRuntime();
      await authorizeDownload({ db: runtime.database.db, headers: requestHeaders, address, limiter: runtime.requestLimiters.enrollment });

      const body = await readAgentDownload(name);
      return new Response(new Uint8Array(body), {
        headers: {
          'content-type': AGENT_DOWNLOADS[name].contentType,
          'content-disposition': `attachment; filename="${name}"`,
          'cache-control': 'no-store',
        },
      });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
