// The ceiling for the handshake figure: a bare Node.js TLS server with the agent listener's
// certificate, CA, CRL and settings (`agentTlsOptions`) and nothing behind the handshake.
// It reads the PEM material as JSON on stdin and prints `port <n>` once it listens.
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { agentTlsOptions } from '@/lib/net/tls-options';

interface Material {
  caCertPem: string;
  certPem: string;
  keyPem: string;
  crlPem?: string;
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => {
  const material = JSON.parse(input) as Material;
  const server = tls.createServer(agentTlsOptions({ ...material, ticketKeys: randomBytes(48) }), (socket) => {
    socket.on('error', () => socket.destroy());
    socket.on('end', () => socket.end());
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('the TLS server has no address');
    console.log(`port ${address.port}`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
});
