import tls from 'node:tls';

/** Outcome of one request to the agent listener over a fresh TLS connection. */
export interface AgentExchange {
  /** HTTP status of the response; undefined when the server answered nothing (a TLS-level refusal). */
  status?: number;
  /** Why no response arrived: an OpenSSL alert, a socket error, or a close. */
  error?: string;
  /** Whether the TLS session was resumed from `session`. */
  reused: boolean;
  /** The session ticket the server issued on this connection, for a later resumption. */
  session?: Buffer;
}

/** An inventory check-in that only carries section hashes, which the agent listener accepts with 200. */
export const MINIMAL_INVENTORY = JSON.stringify({
  hashes: { facts: 'a'.repeat(64), packages: 'b'.repeat(64), updates: 'c'.repeat(64), reboot: 'd'.repeat(64) },
});

/**
 * Sends `POST /agent/v1/inventory` with a minimal body over a new TLS connection with
 * the given client certificate, optionally resuming `session`, and reports the HTTP
 * status or, when the server sent no response, why. The server certificate is checked
 * against `ca`.
 */
export function agentExchange(options: {
  port: number;
  ca: string;
  cert: string;
  key: string;
  session?: Buffer;
  timeoutMs?: number;
}): Promise<AgentExchange> {
  return new Promise((resolve) => {
    let response = '';
    let session: Buffer | undefined;
    let reused = false;
    let settled = false;
    let error: string | undefined;

    const socket = tls.connect({
      host: '127.0.0.1',
      port: options.port,
      servername: 'localhost',
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      session: options.session,
    });

    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(response);
      resolve({
        ...(match ? { status: Number(match[1]) } : { error: error ?? 'server closed the connection without a response' }),
        reused,
        ...(session ? { session } : {}),
      });
    };
    const timer = setTimeout(() => {
      error = `no response within ${options.timeoutMs ?? 5000} ms`;
      finish();
    }, options.timeoutMs ?? 5000);

    socket.on('session', (ticket: Buffer) => (session = ticket));
    socket.once('secureConnect', () => {
      reused = socket.isSessionReused();
      socket.write(
        `POST /agent/v1/inventory HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(MINIMAL_INVENTORY)}\r\nConnection: close\r\n\r\n${MINIMAL_INVENTORY}`,
      );
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', (cause: NodeJS.ErrnoException) => (error = cause.code ? `${cause.code}: ${cause.message}` : cause.message));
    socket.on('close', finish);
  });
}
