import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';

import { createCsr } from '../lib/pki/issue-test-client';
import { storeCredentials } from './credentials';
import { httpsRequest, serverErrorMessage } from './https-request';
import type { AgentLogger } from './log';
import type { AgentEnvironment, AgentPaths } from './paths';

/** The agent's TLS client credentials; replaced as a whole after a renewal. */
export interface AgentCredentials {
  key: string;
  cert: string;
  ca: string;
}

/** Share of a certificate's lifetime after which the agent renews it, unless PM_AGENT_RENEW_AT_FRACTION sets another value. */
export const DEFAULT_RENEW_AT_FRACTION = 2 / 3;

const RETRY_MIN_MS = 30_000;
const RETRY_MAX_MS = 60 * 60 * 1000;
/** Maximum single timer delay; Node.js timers overflow past 2^31-1 ms (about 24.8 days). */
const MAX_TIMER_MS = 24 * 60 * 60 * 1000;
const REQUEST_TIMEOUT_MS = 60_000;

const renewResponseSchema = z.object({
  certificate: z.string().min(1).max(64 * 1024),
  caCertificate: z.string().min(1).max(64 * 1024),
  notAfter: z.iso.datetime(),
});

/**
 * Returns the renewal fraction from `PM_AGENT_RENEW_AT_FRACTION` (a number greater than
 * 0 and less than 1), or two thirds when unset. Throws on any other value.
 */
export function renewAtFraction(env: AgentEnvironment): number {
  const raw = env.PM_AGENT_RENEW_AT_FRACTION?.trim();
  if (!raw) return DEFAULT_RENEW_AT_FRACTION;

  const fraction = Number(raw);
  if (!Number.isFinite(fraction) || fraction <= 0 || fraction >= 1) {
    throw new Error(`invalid PM_AGENT_RENEW_AT_FRACTION=${JSON.stringify(raw)}: expected a number greater than 0 and less than 1, such as 0.66`);
  }
  return fraction;
}

/** Returns when a certificate is due for renewal: notBefore plus `fraction` of its lifetime. */
export function renewalTime(certPem: string, fraction: number): Date {
  const certificate = new X509Certificate(certPem);
  const notBefore = new Date(certificate.validFrom).getTime();
  const notAfter = new Date(certificate.validTo).getTime();
  return new Date(notBefore + (notAfter - notBefore) * fraction);
}

/**
 * Renews the agent's client certificate over mTLS before it expires: at the renewal
 * time, or at once when the server requests it (`renewNow`). Each renewal generates a new
 * key pair, sends only the CSR to `POST /agent/v1/certificate/renew`, checks that the
 * returned certificate carries the new key and chains to the pinned CA, stores key and
 * certificate as a pair (`storeCredentials`) and hands them to `onRenewed`. A failed
 * attempt is retried with a growing delay from 30 s to 1 h.
 */
export class CertificateRenewer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly options: {
      agentUrl: string;
      paths: AgentPaths;
      fraction: number;
      log: AgentLogger;
      credentials: () => AgentCredentials;
      onRenewed: (credentials: AgentCredentials) => void;
    },
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Renews now unless a renewal is already running; resolves when that attempt ends. */
  renewNow(): Promise<void> {
    this.running ??= this.renew().finally(() => {
      this.running = null;
      this.schedule();
    });
    return this.running;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;

    let delayMs: number;
    if (this.failures > 0) {
      delayMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.failures - 1));
    } else {
      const due = renewalTime(this.options.credentials().cert, this.options.fraction);
      delayMs = Math.max(0, due.getTime() - Date.now());
      this.options.log.info({ event: 'certificate.renewal-scheduled', renewAt: due.toISOString() }, 'certificate renewal scheduled');
    }
    this.timer = setTimeout(() => {
      if (delayMs > MAX_TIMER_MS) this.schedule();
      else void this.renewNow();
    }, Math.min(delayMs, MAX_TIMER_MS));
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    const { log } = this.options;
    const current = this.options.credentials();
    try {
      const { keyPem, csrPem } = await createCsr();
      const response = await httpsRequest({
        url: new URL('/agent/v1/certificate/renew', this.options.agentUrl),
        method: 'POST',
        json: { csr: csrPem },
        tls: { ...current, rejectUnauthorized: true },
        timeoutMs: REQUEST_TIMEOUT_MS,
        maxResponseBytes: 256 * 1024,
      });
      if (response.status !== 201) {
        const hint = response.status === 401 ? '; the certificate is no longer accepted, enroll again with pm-agent enroll --force' : '';
        throw new Error(`the server rejected the renewal (HTTP ${response.status}): ${serverErrorMessage(response)}${hint}`);
      }

      const parsed = renewResponseSchema.parse(JSON.parse(response.body));
      checkRenewedCertificate(parsed.certificate, keyPem, current.ca);
      await storeCredentials(this.options.paths, { keyPem, certPem: parsed.certificate });

      const renewed = { ...current, key: keyPem, cert: parsed.certificate };
      this.failures = 0;
      log.info(
        { event: 'certificate.renewed', serial: new X509Certificate(parsed.certificate).serialNumber, notAfter: parsed.notAfter },
        'client certificate renewed',
      );
      this.options.onRenewed(renewed);
    } catch (error) {
      this.failures += 1;
      log.error({ event: 'certificate.renewal-failed', error: (error as Error).message, failures: this.failures }, 'certificate renewal failed');
    }
  }
}

function checkRenewedCertificate(certificatePem: string, keyPem: string, caPem: string): void {
  const certificate = new X509Certificate(certificatePem);
  const ownKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  if (!ownKey.equals(certificate.publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new Error('the renewed certificate does not contain the new public key');
  }
  const ca = new X509Certificate(caPem);
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
    throw new Error('the renewed certificate is not signed by the pinned CA');
  }
}
