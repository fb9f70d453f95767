import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';

import {
  MAX_CHANNEL_MESSAGE_BYTES,
  serverMessageSchema,
  type AgentMessage,
  type ServerMessage,
} from '../lib/agent-protocol/schema';
import { backoffDelayMs, type BackoffOptions } from './backoff';
import type { AgentLogger } from './log';

export interface ChannelOptions {
  /** Agent listener base URL, `https://host:port`. */
  agentUrl: string;
  tls: { cert: string; key: string; ca: string };
  agentVersion: string;
  log: AgentLogger;
  /** Called for every valid server message. */
  onMessage: (message: ServerMessage) => void;
  /** Reads the kernel's boot id, sent in every `hello` so the server can tell that the host rebooted. */
  bootId?: () => string | null;
  /** Called after `hello` went out on a new connection; the place to resend pending messages. */
  onConnected: () => void;
  backoff?: ChannelBackoff;
  /** A connection open this long resets the backoff, in milliseconds. */
  stableMs?: number;
  /** A connection with no message and no ping for this long is closed as dead, in milliseconds. */
  silenceMs?: number;
  /**
   * Reads the credential files again. Called before each attempt once handshakes are
   * rejected in a row, so a host enrolled again with `--force` reconnects without a
   * restart. Returns null when the files cannot be read.
   */
  reloadCredentials?: () => Promise<ChannelOptions['tls'] | null>;
  /**
   * An open connection is closed and made again after this long, plus up to a tenth at
   * random, so the saved TLS session stays younger than the server's ticket lifetime
   * (one day), in milliseconds.
   */
  sessionRefreshMs?: number;
}

/** Reconnect delays of the channel: the exponential backoff, and its ceiling while connections are refused. */
export interface ChannelBackoff extends BackoffOptions {
  /**
   * Largest delay ceiling while connections are refused, in milliseconds. A refusal
   * means no process listens (the server is restarting), and the kernel rejects the
   * connection without any work by the server, so agents may retry often.
   */
  refusedCapMs?: number;
  /** How long a run of refusals keeps that ceiling before the normal one applies, in milliseconds. */
  refusedWindowMs?: number;
}

const DEFAULT_BACKOFF: ChannelBackoff = { baseMs: 1_000, capMs: 60_000 };
const DEFAULT_REFUSED_CAP_MS = 10_000;
const DEFAULT_REFUSED_WINDOW_MS = 10 * 60_000;
const DEFAULT_STABLE_MS = 60_000;
const DEFAULT_SESSION_REFRESH_MS = 20 * 60 * 60_000;
/** The server pings every 30 s, so three missed pings mean the connection is dead. */
const DEFAULT_SILENCE_MS = 90_000;
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** Handshake rejections in a row before the agent logs how to re-enroll; one can be a passing network fault. */
const REJECTIONS_BEFORE_HINT = 3;
/**
 * Error codes of TLS alerts that reject the client certificate. The patch manager's
 * listener ends such a handshake without an alert, but a TLS proxy in front of it may
 * send one.
 */
const CERTIFICATE_ALERT = /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_(CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN)$/;

/**
 * Keeps one mTLS WebSocket to `GET /agent/v1/channel` open, reconnecting with
 * exponential backoff and full jitter (1 s base, 60 s cap by default). The backoff
 * restarts from the beginning after a connection stayed open for `stableMs`. While
 * connections are refused, as during a server restart, the ceiling stays at 10 s
 * for up to 10 minutes. The fleet is then back within seconds of the listener
 * opening, instead of waiting out delays of up to a minute.
 *
 * Each connection offers the TLS session of the last one, so after a server restart
 * the agent resumes its session instead of repeating the full handshake with both
 * certificate signatures. A session is dropped when new credentials replace the
 * old ones, and when a connection that offered it failed after the TCP connect,
 * since the server may have refused it.
 *
 * The agent sends `hello` first on every connection. Server messages are parsed
 * with the protocol schema; an invalid one is logged and dropped. A connection on
 * which nothing arrives for `silenceMs`, not even a ping, is terminated and
 * replaced.
 */
export class AgentChannel {
  private socket: WebSocket | null = null;
  private attempt = 0;
  /** Start of the current run of refused connections, or null when the last attempt was not refused. */
  private refusedSince: number | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private closedWaiters: Array<() => void> = [];
  private tls: ChannelOptions['tls'];
  /** The newest TLS session ticket for the current credentials, offered on the next connection. */
  private session: Buffer | null = null;
  /** Connections in a row that the server ended during the TLS handshake or rejected with HTTP 401. */
  private rejections = 0;
  /** Whether the re-enrollment hint was logged since the last open connection. */
  private rejectionReported = false;

  constructor(private readonly options: ChannelOptions) {
    this.tls = options.tls;
  }

  /**
   * Switches to renewed client credentials: the open connection, which the server
   * closes anyway once the old certificate is superseded, is closed and the next one
   * uses `tls` right away.
   */
  replaceCredentials(tls: ChannelOptions['tls']): void {
    this.tls = tls;
    this.session = null;
    this.attempt = 0;
    const socket = this.socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.close(1000, 'reconnecting with a renewed certificate');
    }
  }

  /** Opens the first connection; later ones follow on their own until `stop`. */
  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** True while a connection is open and `hello` has been sent on it. */
  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a message on the open connection. Returns false when there is none, so
   * the caller can keep the message for the next connection.
   */
  send(message: AgentMessage): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return false;
    }

    socket.send(JSON.stringify(message), (error) => {
      if (error) {
        this.options.log.warn({ event: 'channel.send-failed', type: message.type, error: error.message }, 'channel send failed');
      }
    });
    return true;
  }

  /** Closes the connection and stops reconnecting; resolves once the socket has closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    clearTimeout(this.refreshTimer);

    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) {
      return;
    }

    const closed = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    if (socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
    } else {
      socket.close(1001, 'agent stopping');
      // A peer that does not finish the closing handshake is cut off.
      setTimeout(() => socket.terminate(), 2_000).unref();
    }
    await closed;
  }

  private connect(): void {
    const { agentUrl, log } = this.options;
    const credentials = this.tls;
    const url = new URL('/agent/v1/channel', agentUrl);
    url.protocol = 'wss:';

    log.info({ event: 'channel.connecting', url: url.href, attempt: this.attempt }, 'connecting to the agent listener');
    const offered = this.session;
    let resumed = false;
    const socket = new WebSocket(url, {
      createConnection: ((connectOptions: tls.ConnectionOptions) => {
        const tlsSocket = this.openTls(connectOptions, credentials, offered);
        tlsSocket.once('secureConnect', () => (resumed = tlsSocket.isSessionReused()));
        return tlsSocket;
      }) as unknown as typeof net.createConnection,
      cert: credentials.cert,
      key: credentials.key,
      ca: credentials.ca,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: true,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: MAX_CHANNEL_MESSAGE_BYTES,
      perMessageDeflate: false,
      followRedirects: false,
    });
    this.socket = socket;

    let openedAt: number | null = null;
    let lastError: string | undefined;
    let refused = false;
    let rejected = false;

    socket.on('open', () => {
      openedAt = Date.now();
      this.rejections = 0;
      this.rejectionReported = false;
      this.resetSilenceTimer(socket);
      const refreshMs = this.options.sessionRefreshMs ?? DEFAULT_SESSION_REFRESH_MS;
      this.refreshTimer = setTimeout(() => socket.close(1000, 'renewing the TLS session'), refreshMs * (1 + Math.random() / 10));
      log.info({ event: 'channel.connected', url: url.href, resumed }, 'connected to the agent listener');
      const bootId = this.options.bootId?.() ?? null;
      const hello: AgentMessage = { type: 'hello', agentVersion: this.options.agentVersion, ...(bootId === null ? {} : { bootId }) };
      socket.send(JSON.stringify(hello));
      this.options.onConnected();
    });

    socket.on('ping', () => this.resetSilenceTimer(socket));
    socket.on('pong', () => this.resetSilenceTimer(socket));
    socket.on('message', (data, isBinary) => {
      this.resetSilenceTimer(socket);
      this.receive(isBinary ? null : data.toString());
    });

    socket.on('unexpected-response', (_request, response) => {
      lastError = `server responded to the upgrade request with HTTP ${response.statusCode ?? 0}`;
      rejected = response.statusCode === 401;
      response.resume();
      socket.terminate();
    });

    socket.on('error', (error: NodeJS.ErrnoException) => {
      lastError = error.message;
      refused = error.code === 'ECONNREFUSED';
      // Node.js servers end an untrusted handshake without an alert, which reads as a reset here.
      rejected = error.code === 'ECONNRESET' || CERTIFICATE_ALERT.test(error.code ?? '');
    });

    socket.on('close', (code, reasonBuffer) => {
      clearTimeout(this.silenceTimer);
      clearTimeout(this.refreshTimer);
      const reason = reasonBuffer.toString() || lastError || 'connection closed';
      const connectedMs = openedAt === null ? null : Date.now() - openedAt;
      const level = this.stopped ? 'info' : 'warn';
      log[level]({ event: 'channel.disconnected', code, reason, connectedMs }, 'disconnected from the agent listener');

      if (connectedMs !== null && connectedMs >= (this.options.stableMs ?? DEFAULT_STABLE_MS)) {
        this.attempt = 0;
      }
      this.refusedSince = refused && openedAt === null ? (this.refusedSince ?? Date.now()) : null;
      if (openedAt === null && !refused && this.session === offered) this.session = null;
      if (this.socket === socket) this.socket = null;
      this.rejections = rejected && openedAt === null ? this.rejections + 1 : 0;
      if (this.rejections >= REJECTIONS_BEFORE_HINT && !this.stopped && !this.rejectionReported) {
        this.rejectionReported = true;
        log.error(
          { event: 'channel.certificate_rejected', reason, attempts: this.rejections },
          `The agent listener ended ${this.rejections} connections in a row during the TLS handshake or rejected the ` +
            'certificate. The host certificate may be revoked or expired, or this address may be outside the IP allowlist. ' +
            'If the certificate was revoked, run the command from Re-enroll on the Certificates page on this host. ' +
            'If the host was removed, enroll it again with a new enrollment token and --force. ' +
            (this.options.reloadCredentials
              ? 'The agent reads its certificate files again before each retry and uses a new certificate without a restart.'
              : 'Then restart the agent, because it reads its certificate only at start.'),
        );
      }

      for (const resolve of this.closedWaiters.splice(0)) resolve();
      if (!this.stopped) this.scheduleReconnect();
    });
  }

  /**
   * Opens the TLS connection for ws. Node sends the host name as SNI (none for an IP
   * address) and checks the server certificate against the pinned CA and that name.
   * A resumed session skips that check: the server proved its identity when the
   * session was made.
   */
  private openTls(connectOptions: tls.ConnectionOptions, credentials: ChannelOptions['tls'], offered: Buffer | null): tls.TLSSocket {
    const host = connectOptions.host ?? '';
    const socket = tls.connect({
      ...connectOptions,
      path: undefined,
      servername: net.isIP(host) === 0 ? host : '',
      ...(offered === null ? {} : { session: offered }),
    });
    socket.on('session', (ticket: Buffer) => {
      if (this.tls === credentials) this.session = ticket;
    });
    return socket;
  }

  private scheduleReconnect(): void {
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    const refusing = this.refusedSince !== null && Date.now() - this.refusedSince < (backoff.refusedWindowMs ?? DEFAULT_REFUSED_WINDOW_MS);
    const capMs = refusing ? Math.min(backoff.capMs, backoff.refusedCapMs ?? DEFAULT_REFUSED_CAP_MS) : backoff.capMs;
    const delayMs = backoffDelayMs(this.attempt, { baseMs: backoff.baseMs, capMs });
    this.attempt += 1;
    this.options.log.info({ event: 'channel.retry', attempt: this.attempt, delayMs, refused: refusing }, 'reconnecting after a delay');
    this.retryTimer = setTimeout(() => void this.reconnect(), delayMs);
  }

  /** Connects again, first taking credentials from disk that changed while handshakes were rejected. */
  private async reconnect(): Promise<void> {
    const reload = this.options.reloadCredentials;
    if (reload && this.rejections >= REJECTIONS_BEFORE_HINT) {
      const fresh = await reload().catch(() => null);
      if (this.stopped) return;
      if (fresh && fresh.cert !== this.tls.cert) {
        this.options.log.info({ event: 'channel.credentials_reloaded' }, 'using the certificate found on disk after the rejections');
        this.tls = fresh;
        this.session = null;
        this.rejections = 0;
        this.rejectionReported = false;
      }
    }
    this.connect();
  }

  private resetSilenceTimer(socket: WebSocket): void {
    const silenceMs = this.options.silenceMs ?? DEFAULT_SILENCE_MS;
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      this.options.log.warn({ event: 'channel.silent', silenceMs }, 'no message or ping from the server; closing the connection');
      socket.terminate();
    }, silenceMs);
  }

  private receive(text: string | null): void {
    let data: unknown;
    try {
      data = text === null ? undefined : JSON.parse(text);
    } catch {
      data = undefined;
    }

    const parsed = serverMessageSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.options.log.warn(
        { event: 'channel.invalid-message', field: issue?.path.join('.') || 'body', error: issue?.message },
        'dropped an invalid server message',
      );
      return;
    }

    this.options.onMessage(parsed.data);
  }
}
