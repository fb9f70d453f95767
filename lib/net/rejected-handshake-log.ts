import net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from '@/lib/log';

/** Minimum time between two log lines about one client address. */
const QUIET_MS = 60_000;
/** Addresses remembered at once; the oldest are forgotten first, so a scan cannot grow the map without bound. */
const MAX_ADDRESSES = 10_000;

/** Remote end of a TCP connection. Both fields are undefined when the address could not be read. */
export interface Peer {
  address: string | undefined;
  port: number | undefined;
}

/**
 * Logs rejected agent TLS handshakes (no client certificate, another CA, a revoked
 * certificate, an old protocol) at warn level. Each client address gets at most one
 * line a minute, and that line counts the rejections left out since the previous one.
 */
export function createRejectedHandshakeLog(log: Logger, now: () => number = Date.now) {
  const seen = new Map<string, { loggedAt: number; suppressed: number }>();

  return function record(peer: Peer, reason: string): void {
    const key = peer.address ?? 'unknown';
    const time = now();
    const entry = seen.get(key);
    if (entry && time - entry.loggedAt < QUIET_MS) {
      entry.suppressed += 1;
      return;
    }
    log.warn({ address: key, port: peer.port, reason, suppressedSinceLast: entry?.suppressed ?? 0 }, 'agent TLS handshake rejected');
    seen.delete(key);
    seen.set(key, { loggedAt: time, suppressed: 0 });
    if (seen.size > MAX_ADDRESSES) {
      const oldest = seen.keys().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
  };
}

/**
 * Logs every rejected TLS handshake of `server` with {@link createRejectedHandshakeLog},
 * naming the peer's address and port.
 *
 * The socket that 'tlsClientError' passes is often destroyed already. Node.js verifies
 * the client certificate after OpenSSL finishes the handshake and destroys the socket
 * when the certificate is not trusted, so `remoteAddress` of that socket is undefined.
 * The peer is therefore read from the TCP socket when the server accepts it.
 */
export function logRejectedHandshakes(server: tls.Server, log: Logger): void {
  const record = createRejectedHandshakeLog(log);
  const peerOf = trackPeers(server);
  server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
    record(peerOf(socket), rejectionReason(error, socket));
  });
}

/**
 * Records the peer of every TCP connection `server` accepts and returns a lookup from
 * a TLS socket of that server to its peer, which still works once the socket is destroyed.
 */
export function trackPeers(server: tls.Server): (socket: tls.TLSSocket) => Peer {
  const peers = new WeakMap<net.Socket, Peer>();
  server.on('connection', (socket: net.Socket) => {
    peers.set(socket, { address: socket.remoteAddress, port: socket.remotePort });
  });
  return (socket) => lookUpPeer(socket, peers);
}

function lookUpPeer(socket: tls.TLSSocket, peers: WeakMap<net.Socket, Peer>): Peer {
  // NOTE: `_parent` (the TCP socket a server-side TLSSocket wraps) is internal to Node.js,
  // checked on Node.js 20. Without it the line names the TLS socket's own address, which is
  // undefined once the socket is destroyed.
  const tcpSocket = (socket as unknown as { _parent?: unknown })._parent;
  const captured = tcpSocket instanceof net.Socket ? peers.get(tcpSocket) : undefined;
  return captured ?? { address: socket.remoteAddress, port: socket.remotePort };
}

/**
 * Returns why the handshake failed. When Node.js ends the connection over an untrusted
 * client certificate, the error is only "socket hang up", and the verification error
 * code (such as UNABLE_TO_VERIFY_LEAF_SIGNATURE for a certificate of another CA) is in
 * `authorizationError`.
 */
function rejectionReason(error: Error, socket: tls.TLSSocket): string {
  const verifyError = socket.authorizationError as unknown;
  if (verifyError) {
    return `client certificate not trusted: ${String(verifyError)}`;
  }
  return error.message;
}
