// POST /api/v1/enroll – exchanges an enrollment token and a CSR for the host's client certificate.
import { publicApiRoute, readJsonRequest } from '@/lib/http/api';
import { enrollHost } from '@/lib/enrollment/enroll-host';
import { readCaKey } from '@/lib/pki/ca-key';
import { revocationUrls } from '@/lib/pki/revocation-urls';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = publicApiRoute(async (request, ctx) => {
  const runtime = getRuntime();
  const address = ctx.actor.kind === 'console' ? ctx.actor.address : 'unknown';

  // The limiter runs first, so an address over its limit never reaches the token lookup.
  const result = await runtime.requestLimiters.enrollment.run(address, async () =>
    enrollHost(ctx, await readJsonRequest(request, 64 * 1024), {
      caCertPem: runtime.caCertPem,
      // The CA key is read from disk for this signature only; the web process does not keep it.
      caKeyPem: await readCaKey(runtime.config.configDir),
      validityDays: runtime.config.certificateValidityDays,
      revocationUrls: revocationUrls(runtime.config.publicUrl),
    }),
  );
  runtime.log.info({ hostId: result.hostId, serial: result.serial }, 'host enrolled');

  return Response.json(
    {
      hostId: result.hostId,
      certificate: result.certificatePem,
      caCertificate: result.caCertificatePem,
      agentPort: runtime.config.agentPort,
      inventoryIntervalSeconds: runtime.config.inventoryIntervalSeconds,
    },
    { status: 201 },
  );
});
