import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

/** Outcome of one TLS connection attempt. */
export interface ProbeResult {
  /** True when the server completed the handshake and then responded to the request. */
  ok: boolean;
  /** Why the attempt failed: OpenSSL's message (alert name) or a socket error code. */
  error?: string;
  /** Negotiated protocol, such as "TLSv1.3", when the handshake completed on the client side. */
  protocol?: string;
}

/** Bytes sent after the handshake. Any HTTP server responds to them, even if with an error status. */
const DEFAULT_REQUEST = 'HEAD / HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n';

/**
 * Connects with the given TLS client settings and reports whether the server accepted
 * the connection. A completed client handshake is not enough: in TLS 1.3 the client
 * finishes before the server has checked the client certificate, and the server's alert
 * (or its application closing the socket) arrives afterwards. So the probe sends
 * `request` (an HTTP HEAD by default) and counts the connection as accepted only when
 * the first response bytes arrive. An error (such as a certificate_required alert), a
 * close without data (how Node.js servers drop a client certificate that fails
 * verification), or no response within `timeoutMs` counts as rejected.
 *
 * The server certificate is verified against `ca` when given (host name included), and
 * not verified otherwise, because the probe tests what the server accepts.
 */
export function probeTls(options: {
  host: string;
  port: number;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  cert?: string;
  key?: string;
  ca?: string;
  servername?: string;
  request?: string;
  timeoutMs?: number;
}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 5000;

  return new Promise((resolve) => {
    let protocol: string | undefined;
    let settled = false;

    const socket = tls.connect({
      host: options.host,
      port: options.port,
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      servername: options.servername,
      rejectUnauthorized: options.ca !== undefined,
    });

    const finish = (result: ProbeResult): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(protocol === undefined ? result : { ...result, protocol });
    };

    const timer = setTimeout(() => {
      finish({ ok: false, error: `no response within ${timeoutMs} ms` });
    }, timeoutMs);

    socket.once('secureConnect', () => {
      protocol = socket.getProtocol() ?? undefined;
      socket.write(options.request ?? DEFAULT_REQUEST);
    });
    socket.once('data', () => finish({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      finish({ ok: false, error: error.code ? `${error.code}: ${error.message}` : error.message });
    });
    // Node.js servers reject an unverified client certificate by closing the socket
    // without an alert, so a close after the handshake is a rejection too.
    socket.once('end', () => finish({ ok: false, error: closedMessage(protocol) }));
    socket.once('close', () => finish({ ok: false, error: closedMessage(protocol) }));
  });
}

function closedMessage(protocol: string | undefined): string {
  return protocol === undefined
    ? 'server closed the connection during the handshake'
    : 'server closed the connection after the handshake without a response';
}

/** Outcome of one `openssl s_client` run. */
export interface OpenSslProbeResult {
  /** True when s_client exited 0 and printed a negotiated protocol and cipher. */
  handshakeCompleted: boolean;
  exitCode: number;
  /** Standard output and standard error together, for assertions and failure messages. */
  output: string;
}

/**
 * Runs `openssl s_client` against a local listener with one protocol version flag, such
 * as `-tls1_2` or `-tls1_3`, as an independent check of what the server negotiates.
 * Client key material is written to a temporary 0700 directory that is removed again.
 */
export async function probeOpenSsl(options: {
  host: string;
  port: number;
  versionFlag: '-tls1_2' | '-tls1_3';
  cert?: string;
  key?: string;
  timeoutMs?: number;
}): Promise<OpenSslProbeResult> {
  const directory = await mkdtemp(path.join(tmpdir(), 'pm-openssl-probe-'));

  try {
    const args = ['s_client', '-connect', `${options.host}:${options.port}`, options.versionFlag, '-brief'];
    if (options.cert !== undefined && options.key !== undefined) {
      const certPath = path.join(directory, 'client.pem');
      const keyPath = path.join(directory, 'client.key');
      await writeFile(certPath, options.cert, { mode: 0o644 });
      await writeFile(keyPath, options.key, { mode: 0o600 });
      args.push('-cert', certPath, '-key', keyPath);
    }

    return await new Promise((resolve) => {
      const child = execFile(
        'openssl',
        args,
        { timeout: options.timeoutMs ?? 10_000, encoding: 'utf8' },
        (error, stdout, stderr) => {
          let exitCode = 0;
          if (error !== null) {
            exitCode = typeof error.code === 'number' ? error.code : -1;
          }
          const output = `${stdout}${stderr}`;
          const handshakeCompleted = exitCode === 0 && /Protocol version: TLSv1\.\d/.test(output) && /Ciphersuite: \S+/.test(output);
          resolve({ handshakeCompleted, exitCode, output });
        },
      );
      // Closing stdin makes s_client shut the connection down after the handshake.
      child.stdin?.end();
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
