// POST /api/v1/enroll – exchanges an enrollment token and a CSR for the host's client certificate.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { enrollHost } from '@/lib/enrollment/enroll-host';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  const runtime = getRuntime();
  const body = await readJsonRequest(request, 64 * 1024);
  const result = await enrollHost(ctx, body, {
    caCertPem: runtime.caCertPem,
    caKeyPem: runtime.caKeyPem,
    validityDays: runtime.config.certificateValidityDays,
  });
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
