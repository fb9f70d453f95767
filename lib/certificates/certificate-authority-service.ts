import type https from 'node:https';
import type tls from 'node:tls';
import type { AgentChannels } from '@/lib/agent-gateway/agent-channels';
import type { Database, Sql } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { agentTlsOptions, webTlsOptions } from '@/lib/net/tls-options';
import { readCaKey } from '@/lib/pki/ca-key';
import { pkiPaths } from '@/lib/pki/paths';
import { loadTicketKeys } from '@/lib/pki/ticket-keys';
import { canonicalSerial } from '@/lib/pki/serial';
import { buildOcspRequest } from '@/lib/pki/ocsp/build-ocsp-request';
import { ensureOcspResponder } from '@/lib/pki/ocsp/ensure-ocsp-responder';
import { OCSP_RESPONSE_VALIDITY_MS, respondOcsp } from '@/lib/pki/ocsp/respond-ocsp';
import { certificateStatuses } from './certificate-status';
import * as x509 from '@/lib/pki/x509';
import {
  PKI_EVENTS_CHANNEL,
  REVOCATIONS_CHANNEL,
  notifyRevocation,
  type PkiEvent,
  type RevocationEvent,
} from './certificate-events';
import { loadConsoleTls } from './load-console-tls';
import { crlPem, latestCrl, publishCrl, type StoredCrl } from './publish-crl';
import { getPkiRuntime, setPkiRuntime } from './pki-runtime';

/** How often each server process checks that its CRL and OCSP responder certificate are current. */
export const PKI_REFRESH_INTERVAL_MS = 60 * 60 * 1000;

interface Material {
  configDir: string;
  publicUrl: string;
  caCertPem: string;
  /** The web listener certificate issued by the internal CA; the agent listener always serves it. */
  internalWeb: { certPem: string; keyPem: string };
}

/**
 * The certificate lifecycle inside one server process. It keeps the agent listener's
 * secure context in step with the newest CRL and the web listener's with the chosen
 * console certificate, both through `setSecureContext` without a restart, and reacts
 * to `pm_revocations` and `pm_pki_events` from every process:
 *
 * - revoked or superseded serials: their agent channels close at once, a CRL is
 *   published (at most one per change across processes) and applied;
 * - a new CRL from another process or the worker: it is loaded and applied;
 * - a renewal request: `renew-certificate` goes to the agent when its channel is here;
 * - a console TLS change: the web certificate is reloaded.
 *
 * The agent listener's session ticket keys come from a file in the configuration
 * directory, so agents resume their TLS sessions across restarts and across server
 * processes. OpenSSL checks neither the chain nor the CRL on a resumed session, so this
 * service makes the checks of a full handshake itself. It rejects a resumed session whose
 * certificate is revoked, superseded or expired, and any resumed session while the CRL is
 * past its nextUpdate. The revoked serials come from the applied CRL, and from each
 * revocation notification at once, before the new CRL is signed.
 */
export class CertificateAuthorityService {
  private appliedCrl: StoredCrl | null = null;
  /** Canonical serials listed by the applied CRL. */
  private revokedSerials = new Set<string>();
  /**
   * Canonical serials named by revocation notifications and not yet seen on an applied
   * CRL. They are kept apart because a CRL signed before a notification can be applied
   * after it.
   */
  private notifiedSerials = new Set<string>();
  private ticketKeys: Buffer | null = null;
  private agent: https.Server | null = null;
  private web: https.Server | null = null;
  private channels: AgentChannels | null = null;
  private consoleTls: { certPem: string; keyPem: string } | null = null;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: Array<() => Promise<void>> = [];
  /** Serialises CRL work so two events never apply an older CRL after a newer one. */
  private queue: Promise<void> = Promise.resolve();
  /** The stapled OCSP response of the web certificate and when to replace it. */
  private staple: { response: Buffer; refreshAt: number } | null = null;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly material: Material,
  ) {}

  /**
   * Publishes a CRL when none is current, loads the console certificate and the OCSP
   * responder, and sets the PKI runtime for route handlers. Call before the listeners
   * are created, since their options come from here.
   */
  async prepare(): Promise<void> {
    const readKey = () => readCaKey(this.material.configDir);
    const { crl, created } = await publishCrl({ db: this.db, caCertPem: this.material.caCertPem, readCaKey: readKey });
    this.appliedCrl = crl;
    this.revokedSerials = crlSerials(crl);
    if (created) {
      this.log.info({ crlNumber: crl.number, nextUpdate: crl.nextUpdate }, 'published a certificate revocation list');
    }
    this.ticketKeys = await loadTicketKeys(pkiPaths(this.material.configDir).agentTicketKeys);

    this.consoleTls = await this.loadConsoleCertificate();
    await this.refreshResponder();
  }

  /** Options of the agent listener: mTLS against the internal CA with the current CRL. */
  agentOptions(): ReturnType<typeof agentTlsOptions> {
    if (!this.ticketKeys) {
      throw new Error('CertificateAuthorityService.prepare() must run before agentOptions()');
    }
    return agentTlsOptions({
      ticketKeys: this.ticketKeys,
      caCertPem: this.material.caCertPem,
      ...this.material.internalWeb,
      crlPem: this.appliedCrl ? crlPem(this.appliedCrl.der) : undefined,
    });
  }

  /** Options of the web listener with the chosen console certificate. */
  webOptions(): ReturnType<typeof webTlsOptions> {
    return webTlsOptions(this.consoleTls ?? this.material.internalWeb);
  }

  /** Starts listening for revocation and PKI events, and the hourly refresh. */
  async attach(options: { sql: Sql; agent: https.Server; web: https.Server; channels: AgentChannels }): Promise<void> {
    this.agent = options.agent;
    this.web = options.web;
    this.channels = options.channels;

    const revocations = await options.sql.listen(REVOCATIONS_CHANNEL, (payload) => this.onRevocation(payload));
    const events = await options.sql.listen(PKI_EVENTS_CHANNEL, (payload) => this.onPkiEvent(payload));
    this.unlisten = [() => revocations.unlisten(), () => events.unlisten()];

    this.timer = setInterval(() => this.enqueue(() => this.refresh()), PKI_REFRESH_INTERVAL_MS);
    this.timer.unref();
    options.agent.on('secureConnection', (socket: tls.TLSSocket) => this.checkResumedSession(socket));
    for (const [listener, server] of [['web', options.web], ['agent', options.agent]] as const) {
      server.on('OCSPRequest', (certificate: Buffer, _issuer: Buffer | null, callback: (error: Error | null, response?: Buffer) => void) => {
        this.stapledResponse(listener, certificate).then(
          (response) => callback(null, response ?? undefined),
          (error: unknown) => {
            this.log.warn({ err: error, listener }, 'could not staple an OCSP response');
            callback(null);
          },
        );
      });
    }
  }

  /**
   * Returns the OCSP response to staple in a listener's handshake: the delegated
   * responder's response for the internal CA's web certificate, renewed at half its
   * validity. An uploaded console certificate from another CA gets no staple.
   */
  private async stapledResponse(listener: 'web' | 'agent', certificate: Buffer): Promise<Buffer | null> {
    const servesInternal = listener === 'agent' || this.consoleTls?.certPem === this.material.internalWeb.certPem;
    if (!servesInternal) {
      return null;
    }
    if (this.staple && Date.now() < this.staple.refreshAt) {
      return this.staple.response;
    }

    const pki = getPkiRuntime();
    const response = await respondOcsp({
      // Node.js passes no issuer when the chain it serves is the leaf alone, so the CA certificate comes from here.
      requestDer: buildOcspRequest({ certDer: certificate, issuerDer: new Uint8Array(new x509.X509Certificate(this.material.caCertPem).rawData) }),
      caCertPem: this.material.caCertPem,
      responderCertPem: pki.responder.certPem,
      responderKeyPem: pki.responder.keyPem,
      lookup: (serials) => certificateStatuses(this.db, serials, pki.ownSerials),
    });
    this.staple = { response, refreshAt: Date.now() + OCSP_RESPONSE_VALIDITY_MS / 2 };
    return response;
  }

  /**
   * Ends a resumed session that a full handshake would reject. The https server reads
   * the socket only after this listener has run, so no request is served on it.
   */
  private checkResumedSession(socket: tls.TLSSocket): void {
    if (!socket.isSessionReused()) return;
    const reason = this.reasonToEndResumedSession(socket);
    if (reason === null) return;
    this.log.warn({ address: socket.remoteAddress, reason }, 'rejected a resumed agent TLS session');
    socket.destroy();
  }

  private reasonToEndResumedSession(socket: tls.TLSSocket): string | null {
    if (this.appliedCrl && this.appliedCrl.nextUpdate.getTime() < Date.now()) {
      return 'the certificate revocation list is past its nextUpdate';
    }
    const peer = socket.getPeerCertificate(false);
    if (!peer?.raw) return 'no client certificate in the session';
    const serial = canonicalSerial(peer.serialNumber);
    if (this.revokedSerials.has(serial) || this.notifiedSerials.has(serial)) {
      return `certificate ${serial} is revoked`;
    }
    const notAfter = Date.parse(peer.valid_to);
    if (Number.isNaN(notAfter) || notAfter < Date.now()) {
      return `certificate ${serial} expired at ${peer.valid_to}`;
    }
    return null;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.unlisten.map((unlisten) => unlisten().catch(() => undefined)));
    await this.queue;
  }

  private onRevocation(payload: string): void {
    let event: RevocationEvent;
    try {
      event = JSON.parse(payload) as RevocationEvent;
    } catch (error) {
      this.log.warn({ err: error }, 'ignored a malformed revocation notification');
      return;
    }

    if (event.kind === 'revoked') {
      for (const serial of event.serials) this.notifiedSerials.add(canonicalSerial(serial));
      // Channels close before any CRL work, so a revoked agent is cut off at once.
      const closed = this.channels?.disconnectSerials(event.serials, `certificate ${event.reason === 'superseded' ? 'superseded' : 'revoked'}`) ?? 0;
      this.log.info({ serials: event.serials, reason: event.reason, closedChannels: closed }, 'certificates revoked');
      this.enqueue(() => this.publishAndApply());
    } else if (event.kind === 'crl') {
      this.enqueue(() => this.loadAndApply());
    }
  }

  private onPkiEvent(payload: string): void {
    let event: PkiEvent;
    try {
      event = JSON.parse(payload) as PkiEvent;
    } catch (error) {
      this.log.warn({ err: error }, 'ignored a malformed PKI notification');
      return;
    }

    if (event.kind === 'renew-request') {
      const sent = this.channels?.requestRenewal(event.hostId) ?? false;
      if (sent) this.log.info({ hostId: event.hostId }, 'asked the agent to renew its certificate');
    } else if (event.kind === 'tls-strategy') {
      void this.reloadConsoleCertificate();
    }
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      this.log.error({ err: error }, 'certificate revocation list update failed');
    });
  }

  private async publishAndApply(): Promise<void> {
    const { crl, created } = await publishCrl({
      db: this.db,
      caCertPem: this.material.caCertPem,
      readCaKey: () => readCaKey(this.material.configDir),
    });
    if (created) {
      this.log.info({ crlNumber: crl.number, nextUpdate: crl.nextUpdate }, 'published a certificate revocation list');
      await notifyRevocation(this.db, { kind: 'crl', number: crl.number });
    }
    this.applyCrl(crl);
  }

  private async loadAndApply(): Promise<void> {
    const crl = await latestCrl(this.db);
    if (crl) this.applyCrl(crl);
  }

  private async refresh(): Promise<void> {
    await this.publishAndApply();
    await this.refreshResponder();
  }

  /** Rebuilds the agent listener's context with the CRL unless an equal or newer one is applied. */
  private applyCrl(crl: StoredCrl): void {
    if (this.appliedCrl && this.appliedCrl.number > crl.number) {
      return;
    }
    const changed = this.appliedCrl?.number !== crl.number;
    this.appliedCrl = crl;
    if (!changed) {
      return;
    }
    this.revokedSerials = crlSerials(crl);
    for (const serial of this.revokedSerials) this.notifiedSerials.delete(serial);
    if (!this.agent) {
      return;
    }

    this.agent.setSecureContext(this.agentOptions());
    this.log.info({ crlNumber: crl.number }, 'agent listener reloaded the certificate revocation list');
  }

  private async loadConsoleCertificate(): Promise<{ certPem: string; keyPem: string }> {
    const loaded = await loadConsoleTls({
      db: this.db,
      configDir: this.material.configDir,
      publicUrl: this.material.publicUrl,
      internal: this.material.internalWeb,
      onFallback: (reason) =>
        this.log.error({ reason }, 'the uploaded console certificate cannot be used; serving the internal CA certificate'),
    });
    return { certPem: loaded.certPem, keyPem: loaded.keyPem };
  }

  private async reloadConsoleCertificate(): Promise<void> {
    try {
      this.consoleTls = await this.loadConsoleCertificate();
      this.web?.setSecureContext(this.webOptions());
      this.log.info('web listener reloaded the console certificate');
    } catch (error) {
      this.log.error({ err: error }, 'failed to reload the console certificate');
    }
  }

  private async refreshResponder(): Promise<void> {
    const responder = await ensureOcspResponder({
      configDir: this.material.configDir,
      caCertPem: this.material.caCertPem,
      readCaKey: () => readCaKey(this.material.configDir),
      log: (message) => this.log.info(message),
    });
    const webSerial = canonicalSerial(new x509.X509Certificate(this.material.internalWeb.certPem).serialNumber);
    setPkiRuntime({ responder, ownSerials: [webSerial, responder.serial] });
  }
}

/** Returns the canonical serials that a stored CRL lists. */
function crlSerials(crl: StoredCrl): Set<string> {
  const parsed = new x509.X509Crl(new Uint8Array(crl.der));
  return new Set(parsed.entries.map((entry) => canonicalSerial(entry.serialNumber)));
}
