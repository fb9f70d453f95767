import { spawn } from 'node:child_process';
import path from 'node:path';
import tls from 'node:tls';
import type { SimAgentIdentity } from './issue-agents';

/** Result of one handshake load run. */
export interface HandshakeRun {
  handshakes: number;
  failures: number;
  seconds: number;
  perSecond: number;
  /** First failure reasons, for the report. */
  errors: string[];
}

/**
 * Opens mTLS connections to `port` as fast as `concurrency` parallel clients can for
 * `durationMs`, each with the next identity's certificate. A handshake counts once the
 * client receives the server's TLS 1.3 session ticket: OpenSSL sends it only after it
 * has read the client's Finished message and verified the client certificate, so the
 * count covers the server's whole handshake. The client then closes the connection.
 */
export async function runHandshakes(options: {
  port: number;
  caCertPem: string;
  identities: SimAgentIdentity[];
  concurrency: number;
  durationMs: number;
}): Promise<HandshakeRun> {
  // One secure context per identity, built once, keeps PEM parsing out of the client's loop.
  const contexts = options.identities.map((identity) =>
    tls.createSecureContext({ ca: options.caCertPem, cert: identity.certPem, key: identity.keyPem, minVersion: 'TLSv1.3' }),
  );
  let handshakes = 0;
  let failures = 0;
  let next = 0;
  const errors: string[] = [];
  const started = performance.now();
  const deadline = started + options.durationMs;

  const once = (secureContext: tls.SecureContext): Promise<boolean> =>
    new Promise((resolve) => {
      let settled = false;
      const socket = tls.connect({ host: '127.0.0.1', port: options.port, servername: 'localhost', secureContext, minVersion: 'TLSv1.3' });
      const finish = (ok: boolean, reason?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (!ok && reason && errors.length < 5) errors.push(reason);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false, 'no session ticket within 10 s'), 10_000);
      socket.once('session', () => finish(true));
      socket.on('error', (error) => finish(false, error.message));
      socket.on('close', () => finish(false, 'closed before the session ticket'));
    });

  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const context = contexts[next++ % contexts.length]!;
      if (await once(context)) handshakes += 1;
      else failures += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));

  const seconds = (performance.now() - started) / 1000;
  return { handshakes, failures, seconds: round(seconds, 2), perSecond: round(handshakes / seconds, 1), errors };
}

/** Starts a bare TLS server child process with the agent listener's settings, the ceiling for `runHandshakes`. */
export async function startBareTlsServer(material: {
  caCertPem: string;
  certPem: string;
  keyPem: string;
  crlPem?: string;
}): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'bare-tls-server.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(JSON.stringify(material));
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const match = /port (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the bare TLS server exited with ${code}: ${output}`)));
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
