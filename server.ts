import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { ConfigError, loadConfig, type AppConfig } from '@/lib/config/load-config';
import { openAppDatabase } from '@/lib/db/app-role';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '@/lib/db/embedded';
import { logRejectedHandshakes, trackPeers } from '@/lib/net/rejected-handshake-log';
import { getLogger, type Logger } from '@/lib/log';
import { ensurePki } from '@/lib/pki/ensure-pki';
import { checkSecretFileModes, FileModeError } from '@/lib/pki/check-file-modes';
import { revocationUrls } from '@/lib/pki/revocation-urls';
import { readCaKey } from '@/lib/pki/ca-key';
import { CertificateAuthorityService } from '@/lib/certificates/certificate-authority-service';
import { originDefaultsFromConfig } from '@/lib/net/allowed-origins';
import { setRuntime } from '@/lib/runtime';
import { ensureSigningKey } from '@/lib/auth/signing-keys';
import { createKeyStore } from '@/lib/auth/key-store';
import { createMfaLimiter } from '@/lib/auth/mfa/mfa-limiter';
import { createLoginLimiter } from '@/lib/auth/login-limiter';
import { createRequestLimiters } from '@/lib/rate-limits/create-request-limiters';
import { prepareFirstRunSetup } from '@/lib/auth/setup/first-run-setup';
import { CLIENT_ADDRESS_HEADER, CLIENT_CONNECTION_HEADER, encodeClientConnection } from '@/lib/net/client-address';
import { JobEventsHub } from '@/lib/realtime/job-events-hub';
import { JobsSocket } from '@/lib/realtime/jobs-socket';
import { AgentChannels } from '@/lib/agent-gateway/agent-channels';
import { createAgentListener } from '@/lib/agent-gateway/agent-listener';
import { NetworkGuard } from '@/lib/net/network-guard';
import { rejectInvalidPath } from '@/lib/net/reject-invalid-path';
import { waitAtMost } from '@/lib/wait-at-most';
import { BASE_CONTENT_SECURITY_POLICY } from '@/lib/http/content-security-policy';
import { quietRedirectPrefetchErrors } from '@/lib/http/quiet-redirect-prefetch';

const projectRoot = path.dirname(fileURLToPath(import.meta.url));

function readConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`patch-manager: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Pending connections the kernel queues for a listener; Linux caps it at
 * net.core.somaxconn (4096 by default since 5.4). After a restart, thousands of
 * agents connect at once. A connection that finds the queue full waits for a SYN
 * retransmission (1 s, 3 s and 7 s after the first SYN) instead of its turn.
 */
const LISTEN_BACKLOG = 4096;

/** Maximum time the server waits for the worker to stop. The worker's own job queue stop takes up to 10 s. */
const WORKER_STOP_LIMIT_MS = 12_000;

/** Maximum time a stop may take before the process exits anyway. */
const SHUTDOWN_LIMIT_MS = 20_000;

function listen(server: https.Server, port: number, host: string, setting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`${host}:${port} is already in use; stop the other program or choose another port with ${setting}`));
        return;
      }
      reject(error);
    });
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function startWorker(log: Logger, databaseUrl: string, appDatabaseUrl: string): ChildProcess {
  const worker = fork(path.join(projectRoot, 'workers', 'main.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, DATABASE_URL: databaseUrl, PM_DATABASE_APP_URL: appDatabaseUrl, PM_WORKER_PARENT: String(process.pid) },
    stdio: 'inherit',
  });
  worker.on('exit', (code, signal) => log.warn({ code, signal }, 'worker process exited'));
  return worker;
}

/** Headers that keep the console out of frames and stop content-type sniffing. */
function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('X-Frame-Options', 'DENY');
  // The request gate replaces this policy on pages with one that also limits scripts.
  res.setHeader('Content-Security-Policy', BASE_CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Strict-Transport-Security', 'max-age=31536000');
}

/** Returns a Node.js header value as one string, or null when absent. */
function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Compares a Host header with the public URL's host, ignoring case. */
function hostMatches(header: string | undefined, publicHost: string): boolean {
  return (header ?? '').toLowerCase() === publicHost.toLowerCase();
}

async function main(): Promise<void> {
  const config = readConfigOrExit();
  const log = getLogger({ level: config.logLevel, name: 'patch-manager' });
  quietRedirectPrefetchErrors(log);
  try {
    checkSecretFileModes({ configDir: config.configDir, configFile: config.configFile });
  } catch (error) {
    if (error instanceof FileModeError) {
      console.error(`patch-manager: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }

  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedDatabasePort, log });
    databaseUrl = embedded.url;
  }
  // Migrations run as the owner; all other work uses the restricted application role.
  const { database, appUrl: appDatabaseUrl } = await openAppDatabase({
    ownerUrl: databaseUrl,
    appUrl: config.databaseAppUrl,
    embeddedDataDir: embedded ? config.dataDir : null,
    migrationsFolder: path.join(projectRoot, 'drizzle'),
    log,
    max: 20,
    applicationName: 'patch-manager-server',
  });

  const pki = await ensurePki({
    configDir: config.configDir,
    hostNames: config.hostNames,
    revocationUrls: revocationUrls(config.publicUrl),
    log: (message) => log.info(message),
  });
  const certificateAuthority = new CertificateAuthorityService(database.db, log, {
    configDir: config.configDir,
    publicUrl: config.publicUrl,
    caCertPem: pki.caCertPem,
    internalWeb: { certPem: pki.webCertPem, keyPem: pki.webKeyPem },
  });
  await certificateAuthority.prepare();

  await ensureSigningKey(config.configDir);
  const keyStore = createKeyStore(config.configDir);
  const mfaLimiter = await createMfaLimiter(database.sql);
  const loginLimiter = await createLoginLimiter(database.sql);
  const requestLimiters = await createRequestLimiters(database.sql, config.limits, log);

  const webUrl = config.publicUrl;
  setRuntime({
    keyStore,
    mfaLimiter,
    loginLimiter,
    requestLimiters,
    config,
    database,
    log,
    caCertPem: pki.caCertPem,
    caFingerprint: pki.caFingerprint,
    enrollUrl: webUrl,
  });

  // Loaded before any listener opens, so the first connection is already checked.
  const networkGuard = new NetworkGuard(database.db, log, originDefaultsFromConfig(config));
  await networkGuard.start(database.sql);

  const events = new JobEventsHub(log);
  await events.start(database.sql);
  const channels = new AgentChannels(database.db, log, events);
  const agentRoutes = createAgentListener({
    db: database.db,
    log,
    channels,
    authority: {
      caCertPem: pki.caCertPem,
      readCaKey: () => readCaKey(config.configDir),
      validityDays: config.certificateValidityDays,
      revocationUrls: revocationUrls(config.publicUrl),
    },
  });
  // Read on every upgrade, so a change on the Settings page applies without a restart.
  // NOTE: streams already open from an origin that a change removes stay open until they end.
  const jobsSocket = new JobsSocket({ db: database.db, log, events, allowedOrigins: () => networkGuard.settings.allowedOrigins });

  const publicHost = new URL(config.publicUrl).host;
  // Next.js attaches its own 'upgrade' listener to the server it is given (or,
  // without one, to the first request's server) and closes every upgrade it
  // does not route itself, which would cut the jobs WebSocket. It gets a server
  // that never listens, so upgrades stay with the handler below.
  const app = next({
    dev: false,
    dir: projectRoot,
    hostname: config.webBind,
    port: config.webPort,
    httpServer: http.createServer(),
  });
  // Set once Next.js is prepared, which happens after the agent listener opens and before the web listener does.
  let handle: ReturnType<typeof app.getRequestHandler> | null = null;

  const web = https.createServer(certificateAuthority.webOptions(), (req, res) => {
    setSecurityHeaders(res);

    // The allowlist runs before anything else, on every request of a kept-alive connection too.
    const admission = networkGuard.admitWeb(req.socket.remoteAddress, req.headers, 'web request');
    if (!admission.admitted) {
      res.writeHead(admission.status, { 'content-type': 'text/plain', connection: 'close' }).end(`${admission.reason}\n`);
      return;
    }
    const address = admission.address;
    if (req.url?.startsWith('/api/')) {
      res.setHeader('Cache-Control', 'no-store');
    }
    if (rejectInvalidPath(req, res, log, address)) return;

    // Revocation clients such as OpenSSL's OCSP client send Host without the port and follow no redirects.
    const revocationPath = /^\/pki\/(crl\.(pem|der)|ocsp)(\/|$)/.test(req.url ?? '');
    if (!revocationPath && !hostMatches(req.headers.host, publicHost)) {
      // One canonical origin keeps cookies and the WebSocket Origin check consistent.
      res.writeHead(308, { location: `${config.publicUrl}${req.url ?? '/'}` }).end();
      return;
    }

    // The Host check above fixes the origin, so forwarded host and scheme headers are dropped:
    // Next.js compares a server action's Origin with X-Forwarded-Host when one is present.
    delete req.headers['x-forwarded-host'];
    delete req.headers['x-forwarded-proto'];
    delete req.headers['x-forwarded-port'];
    delete req.headers.forwarded;

    // Only the socket and trusted proxies decide the client address; a client-sent value is dropped.
    delete req.headers[CLIENT_ADDRESS_HEADER];
    delete req.headers[CLIENT_CONNECTION_HEADER];
    req.headers[CLIENT_ADDRESS_HEADER] = address;
    req.headers[CLIENT_CONNECTION_HEADER] = encodeClientConnection({
      peer: req.socket.remoteAddress ?? '',
      forwardedFor: headerValue(req.headers['x-forwarded-for']),
      realIp: headerValue(req.headers['x-real-ip']),
    });
    void handle!(req, res).catch((error: unknown) => {
      log.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  web.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const admission = networkGuard.admitWeb(req.socket.remoteAddress, req.headers, 'WebSocket upgrade');
    if (!admission.admitted) {
      const statusText = admission.status === 400 ? 'Bad Request' : 'Forbidden';
      socket.end(`HTTP/1.1 ${admission.status} ${statusText}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const address = admission.address;

    const pathname = new URL(req.url ?? '/', 'https://console.invalid').pathname;
    if (pathname !== '/api/v1/ws/jobs') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    // The jobs socket checks the Origin first, then spends the one-time ticket.
    jobsSocket.upgrade(req, socket, head, address).catch((error: unknown) => {
      log.error({ err: error }, 'jobs WebSocket upgrade failed');
      socket.destroy();
    });
  });

  // Agents connect directly, so the agent port uses the peer address and no forwarding headers.
  const agent = https.createServer(certificateAuthority.agentOptions(), (req: IncomingMessage, res: ServerResponse) => {
    if (networkGuard.dropAgentSocket(req.socket)) return;
    void agentRoutes.onRequest(req, res);
  });
  // The TCP connection is dropped before the TLS handshake; the checks per request and upgrade cover kept-alive connections.
  agent.on('connection', (socket: Socket) => networkGuard.dropAgentSocket(socket));
  agent.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (networkGuard.dropAgentSocket(req.socket)) return;
    void agentRoutes.onUpgrade(req, socket, head);
  });

  // A settings change closes the streams and channels of addresses that lost access.
  networkGuard.onChange(() => {
    const reason = 'client address no longer in the IP allowlist';
    jobsSocket.closeWhere((address) => !networkGuard.allows(address), reason);
    channels.disconnectWhere((address) => !networkGuard.allows(address), reason);
  });

  // Browsers abort console handshakes routinely (an untrusted certificate, a closed
  // tab), so those stay at debug. A rejected agent handshake may be a host whose
  // certificate was revoked or an intruder, so it is logged at warn, rate-limited.
  const webPeerOf = trackPeers(web);
  web.on('tlsClientError', (error, socket) => {
    const peer = webPeerOf(socket);
    log.debug({ address: peer.address, port: peer.port, reason: error.message }, 'TLS handshake rejected');
  });
  logRejectedHandshakes(agent, log);

  await certificateAuthority.attach({ sql: database.sql, agent, web, channels });
  // The agent listener needs nothing from Next.js, so it opens first: after a restart, the
  // fleet reconnects while the console is prepared, which takes seconds under that load.
  await listen(agent, config.agentPort, config.agentBind, 'server.agent_port (PM_AGENT_PORT)');
  await app.prepare();
  handle = app.getRequestHandler();
  await listen(web, config.webPort, config.webBind, 'server.web_port (PM_WEB_PORT)');

  const worker = process.argv.includes('--with-worker') ? startWorker(log, databaseUrl, appDatabaseUrl) : null;

  const setupToken = await prepareFirstRunSetup(database.db);

  log.info({ webPort: config.webPort, agentPort: config.agentPort }, 'patch manager started');
  if (setupToken) {
    // Printed on stdout only, never logged: the token creates the first Admin.
    console.log(`\nNo console user exists yet. Create the first Admin at ${webUrl}/setup with this one-time setup token:`);
    console.log(`Setup token: ${setupToken}`);
  }
  console.log(`\nPatch Manager console: ${webUrl}/  (listening on ${config.webBind}:${config.webPort})`);
  console.log(`Agent listener (mTLS): ${config.agentBind}:${config.agentPort}`);
  console.log(`Internal CA SHA-256 fingerprint: ${pki.caFingerprint}`);
  console.log('Create an enrollment token in the console (Enrollment) or with: npx patch-manager token create\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Each step below has its own limit; this one ends the process if something still hangs.
    setTimeout(() => {
      log.warn({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown did not finish in time; exiting now');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    // The embedded database stops last, after the worker has closed its connections.
    const workerExited = worker && worker.exitCode === null ? new Promise((resolve) => worker.once('exit', resolve)) : null;
    worker?.kill('SIGTERM');
    // Both listeners stop accepting before the channels close, so agents that reconnect at
    // once are refused at TCP and retry, instead of reaching a closing server that resets them.
    const listenersClosed = Promise.all([new Promise((r) => web.close(r)), new Promise((r) => agent.close(r))]);
    jobsSocket.close();
    await channels.close();
    await certificateAuthority.stop();
    await listenersClosed;
    web.closeAllConnections();
    agent.closeAllConnections();
    await events.stop();
    await networkGuard.stop();
    await database.close();
    if (workerExited) await waitAtMost(workerExited, WORKER_STOP_LIMIT_MS);
    await embedded?.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('patch-manager: failed to start:', error instanceof Error ? error.message : error);
  getLogger().fatal({ err: error }, 'failed to start');
  process.exit(1);
});
