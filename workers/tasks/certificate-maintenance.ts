import { readFile } from 'node:fs/promises';
import { notifyRevocation } from '@/lib/certificates/certificate-events';
import { findExpiringCertificates } from '@/lib/certificates/find-expiring-certificates';
import { publishCrl } from '@/lib/certificates/publish-crl';
import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { readCaKey } from '@/lib/pki/ca-key';
import { pkiPaths } from '@/lib/pki/paths';

/**
 * Daily certificate upkeep: publishes a new CRL when the current one is less than four
 * days from its nextUpdate (every server process then loads it), and logs a warning
 * for every active host certificate that expires within 14 days, since its agent
 * should have renewed long before.
 */
export async function runCertificateMaintenance(ctx: Context, log: Logger, configDir: string): Promise<void> {
  const caCertPem = await readFile(pkiPaths(configDir).caCert, 'utf8');
  const { crl, created } = await publishCrl({ db: ctx.db, caCertPem, readCaKey: () => readCaKey(configDir) });
  if (created) {
    await notifyRevocation(ctx.db, { kind: 'crl', number: crl.number });
    log.info({ crlNumber: crl.number, nextUpdate: crl.nextUpdate }, 'published a certificate revocation list');
  }

  for (const certificate of await findExpiringCertificates(ctx)) {
    log.warn(
      { hostId: certificate.hostId, hostname: certificate.hostname, serial: certificate.serial, notAfter: certificate.notAfter },
      'host certificate expires soon and was not renewed; check that the agent reaches the agent listener',
    );
  }
}
