import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import type { Database } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { errorBody, httpStatusFor, NotFoundError, UnauthorizedError } from '@/lib/errors';
import { MAX_INVENTORY_BYTES } from '@/lib/agent-protocol/schema';
import { ingestInventory } from '@/lib/hosts/ingest-inventory';
import { readJsonBody } from '@/lib/net/read-body';
import { renewAgentCertificate } from '@/lib/certificates/renew-agent-certificate';
import type { RevocationUrls } from '@/lib/pki/revocation-urls';
import { authenticateAgent } from './authenticate-agent';
import type { AgentChannels } from './agent-channels';

/**
 * Headers of every agent listener response. Only agents read them, but a browser that
 * reaches the port gets JSON it can neither frame, sniff nor cache.
 */
const RESPONSE_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...RESPONSE_HEADERS, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** What the agent listener needs to renew agent certificates. */
export interface RenewalAuthority {
  caCertPem: string;
  /** Reads the CA key from disk for one signing operation. */
  readCaKey: () => Promise<string>;
  validityDays: number;
  revocationUrls: RevocationUrls;
}

/** Largest renewal request body: a CSR of at most 16 KiB in JSON. */
const MAX_RENEWAL_BYTES = 20 * 1024;

/** Fields of an agent request that its failure log names. The log never names the body, the query or a header. */
interface RequestFacts {
  address: string;
  method: string;
  path: string;
  /** Set once the client certificate is authenticated. */
  hostId?: string;
  /** Largest body the route reads, in bytes; set when the route reads a body. */
  limitBytes?: number;
}

/** Returns the path of a request target without its query, which the log leaves out. */
function pathOf(target: string | undefined): string {
  return (target ?? '/').split('?', 1)[0]!;
}

/**
 * Logs an agent request that ends with an error status. A 500 is an error with the
 * stack. Every rejection (4xx) is a warning, because the agent never sends such a
 * request on purpose: one points to an agent bug, an agent version the server does not
 * match, or a forged client.
 */
function logFailedRequest(log: Logger, request: RequestFacts, status: number, error: unknown): void {
  const { hostId, address, method, path, limitBytes } = request;
  if (status === 500) {
    log.error({ err: error, hostId, address, method, path }, 'agent request failed');
    return;
  }

  const reason = error instanceof Error ? error.message : String(error);
  if (status === 413) {
    log.warn({ hostId, address, method, path, status, limitBytes }, 'rejected an agent request body larger than the limit');
  } else if (status === 400) {
    log.warn({ hostId, address, method, path, status, reason }, 'rejected agent payload');
  } else {
    log.warn({ hostId, address, method, path, status, reason }, 'rejected agent request');
  }
}

/**
 * Routes of the mTLS agent listener. Every request and upgrade is
 * authenticated from the client certificate before anything is read.
 */
export function createAgentListener(options: { db: Database; log: Logger; channels: AgentChannels; authority: RenewalAuthority }) {
  const { db, log, channels, authority } = options;

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket as tls.TLSSocket;
    const address = socket.remoteAddress ?? 'unknown';
    const request: RequestFacts = { address, method: req.method ?? '', path: pathOf(req.url) };
    try {
      const identity = await authenticateAgent(db, socket);
      if (!identity.ok) {
        log.warn({ address, reason: identity.reason }, 'rejected agent request');
        sendJson(res, 401, errorBody(new UnauthorizedError('client certificate is not accepted; enroll the host again')));
        return;
      }
      request.hostId = identity.hostId;

      const url = new URL(req.url ?? '/', 'https://agent.invalid');
      if (req.method === 'POST' && url.pathname === '/agent/v1/inventory') {
        request.limitBytes = MAX_INVENTORY_BYTES;
        const body = await readJsonBody(req, MAX_INVENTORY_BYTES);
        const ctx = { actor: { kind: 'agent' as const, hostId: identity.hostId, address }, db };
        const result = await ingestInventory(ctx, body);
        log.debug({ hostId: identity.hostId, ...result }, 'inventory check-in');
        sendJson(res, 200, result);
        return;
      }
      if (req.method === 'POST' && url.pathname === '/agent/v1/certificate/renew') {
        request.limitBytes = MAX_RENEWAL_BYTES;
        const body = await readJsonBody(req, MAX_RENEWAL_BYTES);
        const ctx = { actor: { kind: 'agent' as const, hostId: identity.hostId, address }, db };
        const renewed = await renewAgentCertificate(ctx, identity, body, authority);
        log.info({ hostId: identity.hostId, previousSerial: identity.serial, serial: renewed.serial }, 'agent certificate renewed');
        sendJson(res, 201, {
          certificate: renewed.certificatePem,
          caCertificate: authority.caCertPem,
          notAfter: renewed.notAfter.toISOString(),
        });
        return;
      }
      throw new NotFoundError(`no agent route ${req.method ?? ''} ${url.pathname}`);
    } catch (error) {
      const status = httpStatusFor(error);
      logFailedRequest(log, request, status, error);
      if (!res.headersSent) sendJson(res, status, errorBody(error));
    }
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const tlsSocket = req.socket as tls.TLSSocket;
    const address = tlsSocket.remoteAddress ?? 'unknown';
    const url = new URL(req.url ?? '/', 'https://agent.invalid');
    try {
      if (url.pathname !== '/agent/v1/channel') {
        log.warn({ address, path: url.pathname, status: 404 }, 'rejected an agent upgrade to an unknown path');
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      const identity = await authenticateAgent(db, tlsSocket);
      if (!identity.ok) {
        log.warn({ address, reason: identity.reason }, 'rejected agent channel');
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        return;
      }
      channels.upgrade(req, socket, head, { hostId: identity.hostId, address, serial: identity.serial });
    } catch (error) {
      log.error({ err: error, address }, 'agent channel upgrade failed');
      socket.destroy();
    }
  }

  return { onRequest, onUpgrade };
}
