import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { sql } from 'drizzle-orm';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Database } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import type { Context } from '@/lib/context';
import {
  agentMessageSchema,
  MAX_CHANNEL_MESSAGE_BYTES,
  type AgentMessage,
  type ServerMessage,
} from '@/lib/agent-protocol/schema';
import { toStorableJson } from '@/lib/text';
import { claimDispatchableJobs, type DispatchItem } from '@/lib/patching/list-dispatchable-jobs';
import {
  recordJobOutput,
  recordJobRejected,
  recordJobResult,
  recordJobStarted,
} from '@/lib/patching/record-agent-event';
import { recordJobRebooting } from '@/lib/patching/record-agent-reboot';
import { isJobHost } from '@/lib/patching/is-job-host';
import type { JobEventsHub } from '@/lib/realtime/job-events-hub';
import { waitAtMost } from '@/lib/wait-at-most';
import { HelloBatcher } from './hello-batcher';

/** Interval between server pings; a channel silent for two intervals is closed. */
export const PING_INTERVAL_MS = 30_000;
/**
 * Time an agent has to send its hello after the upgrade. The agent is already
 * authenticated by its certificate, so a slow hello costs only the idle channel's
 * memory. During a reconnect storm a busy agent or server can take more than 10 s,
 * and closing such a channel only adds another handshake to the storm.
 */
const HELLO_TIMEOUT_MS = 30_000;
/** Time the stop waits for the last hellos and heartbeats to be recorded. */
const FLUSH_LIMIT_MS = 3_000;
/** A channel replaced within this time of opening is logged as a possible copied certificate. */
const REPLACED_SOON_MS = 60_000;
/** Time the agents get at shutdown to reply to the close frame before their sockets are ended. */
const CLOSE_GRACE_MS = 2_000;
/** Job ids a channel remembers of jobs its host is not part of, so repeated messages about one are logged once. */
const MAX_FOREIGN_JOBS_REMEMBERED = 100;

interface Channel {
  hostId: string;
  address: string;
  /** Canonical serial of the client certificate the channel was opened with. */
  serial: string;
  socket: WebSocket;
  alive: boolean;
  ready: boolean;
  /** Time the channel opened, in milliseconds since the epoch. */
  openedAt: number;
  /** Serialises message handling so started, output and result keep their order. */
  queue: Promise<void>;
  /** Ids of jobs this host is not part of that the agent sent messages about, already logged. */
  foreignJobIds: Set<string>;
}

/**
 * The agent side of the realtime system: one WebSocket per enrolled host over
 * the mTLS listener. A job's hosts are pushed down the channel when the
 * orchestrator releases them (from any process, through the job events hub) and
 * when an agent connects.
 */
export class AgentChannels {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CHANNEL_MESSAGE_BYTES });
  private readonly channels = new Map<string, Channel>();
  private readonly seen = new Set<string>();
  private readonly hellos: HelloBatcher<Channel>;
  private readonly timer: NodeJS.Timeout;
  private readonly stopListening: () => void;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    events: JobEventsHub,
  ) {
    this.hellos = new HelloBatcher(db, log, (channels, items) => this.deliverClaimed(channels, items));
    this.timer = setInterval(() => this.heartbeat(), PING_INTERVAL_MS);
    this.timer.unref();
    this.stopListening = events.on((event) => {
      if (event.kind === 'dispatch') {
        void this.dispatch(event.jobId);
      } else if (event.kind === 'cancel') {
        this.broadcastCancel(event.jobId);
      }
    });
  }

  /** Number of open channels, for tests and the log. */
  get size(): number {
    return this.channels.size;
  }

  /** Completes the upgrade of an authenticated agent connection. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, identity: { hostId: string; address: string; serial: string }): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, identity));
  }

  /** Closes the channels of the given hosts, for example after a certificate revocation. */
  disconnect(hostIds: string[], reason: string): void {
    for (const hostId of hostIds) {
      this.channels.get(hostId)?.socket.close(4001, reason.slice(0, 120));
    }
  }

  /**
   * Closes every channel opened with one of the given certificate serials, at once, for
   * example after a revocation or a renewal. Channels of the same host opened with
   * another certificate stay open. Returns the number of channels closed.
   */
  disconnectSerials(serials: readonly string[], reason: string): number {
    let closed = 0;
    for (const channel of this.channels.values()) {
      if (serials.includes(channel.serial)) {
        this.log.info({ hostId: channel.hostId, serial: channel.serial, reason }, 'closing agent channel of a revoked certificate');
        channel.socket.close(4001, reason.slice(0, 120));
        closed += 1;
      }
    }
    return closed;
  }

  /** Closes every channel whose peer address fails the test, for example after an IP allowlist change; returns how many. */
  disconnectWhere(refused: (address: string) => boolean, reason: string): number {
    let closed = 0;
    for (const channel of this.channels.values()) {
      if (!refused(channel.address)) continue;
      this.log.info({ hostId: channel.hostId, address: channel.address, reason }, 'closing agent channel');
      channel.socket.close(4003, reason.slice(0, 120));
      closed += 1;
    }
    return closed;
  }

  /** Asks the host's agent to renew its certificate now; returns false when its channel is not open here. */
  requestRenewal(hostId: string): boolean {
    const channel = this.channels.get(hostId);
    if (!channel?.ready) {
      return false;
    }
    this.send(channel, { type: 'renew-certificate' });
    return true;
  }

  /**
   * Closes every channel with 1001 and waits up to `graceMs` for the agents' close
   * frames, then ends the sockets still open. Without the limit, ws waits up to 30 s
   * per socket for a busy or vanished agent, and the agents' reconnect backoff keeps
   * growing while the server has not yet stopped.
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    clearInterval(this.timer);
    this.stopListening();
    const open = [...this.channels.values()].map((channel) => channel.socket);
    const closed = Promise.all(
      open.map((socket) => (socket.readyState === WebSocket.CLOSED ? null : new Promise((resolve) => socket.once('close', resolve)))),
    );
    for (const socket of open) socket.close(1001, 'server shutting down');
    await waitAtMost(closed, graceMs);
    for (const socket of open) {
      if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
    }
    // Work queued before the stop, such as the start acknowledgements of a large job, can hold
    // the database pool for a long time. The last hellos and heartbeats are not worth a longer stop.
    const flushed = await waitAtMost(Promise.all([this.hellos.flush(), this.flushSeen()]), FLUSH_LIMIT_MS);
    if (!flushed) {
      this.log.warn({ limitMs: FLUSH_LIMIT_MS }, 'stopped without recording the last agent hellos and heartbeats, because the database did not respond in time');
    }
    this.wss.close();
  }

  private attach(socket: WebSocket, identity: { hostId: string; address: string; serial: string }): void {
    const { hostId, address, serial } = identity;
    const previous = this.channels.get(hostId);
    if (previous) {
      // A reconnect replaces a connection that went silent, usually long after it opened. Two
      // live copies of one certificate push each other off within seconds, again and again.
      const ageMs = Date.now() - previous.openedAt;
      if (ageMs < REPLACED_SOON_MS) {
        this.log.warn(
          { hostId, address, previousAddress: previous.address, previousAgeMs: ageMs },
          'agent channel replaced soon after it opened; two agents may share one certificate, so check the host and revoke the certificate if it was copied',
        );
      }
      previous.socket.close(4000, 'replaced by a newer connection from the same host');
    }

    const channel: Channel = { hostId, address, serial, socket, alive: true, ready: false, openedAt: Date.now(), queue: Promise.resolve(), foreignJobIds: new Set() };
    this.channels.set(hostId, channel);
    this.log.info({ hostId, address }, 'agent channel opened');

    const helloTimer = setTimeout(() => {
      if (!channel.ready) socket.close(4002, 'no hello received');
    }, HELLO_TIMEOUT_MS);

    socket.on('pong', () => {
      channel.alive = true;
      this.seen.add(hostId);
    });
    socket.on('message', (data, isBinary) => {
      channel.queue = channel.queue.then(() => this.receive(channel, data, isBinary));
    });
    socket.on('close', (code, reason) => {
      clearTimeout(helloTimer);
      if (this.channels.get(hostId) === channel) {
        this.channels.delete(hostId);
      }
      this.log.info({ hostId, code, reason: reason.toString() }, 'agent channel closed');
    });
    socket.on('error', (error) => this.log.warn({ hostId, err: error }, 'agent channel error'));
  }

  private context(channel: Channel): Context {
    return { actor: { kind: 'agent', hostId: channel.hostId, address: channel.address }, db: this.db };
  }

  private async receive(channel: Channel, data: RawData, isBinary: boolean): Promise<void> {
    let message: AgentMessage;
    try {
      if (isBinary) throw new Error('binary frames are not part of the protocol');
      // Output and results are kept even when a line contains NUL or broken UTF-16.
      const parsed = agentMessageSchema.safeParse(toStorableJson(JSON.parse(data.toString()) as unknown));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
      }
      message = parsed.data;
    } catch (error) {
      this.log.warn({ hostId: channel.hostId, reason: String(error) }, 'rejected invalid agent message');
      return;
    }

    try {
      await this.handle(channel, message);
    } catch (error) {
      this.log.error({ hostId: channel.hostId, type: message.type, err: error }, 'failed to handle agent message');
    }
  }

  private async handle(channel: Channel, message: AgentMessage): Promise<void> {
    if (!channel.ready && message.type !== 'hello') {
      this.log.warn({ hostId: channel.hostId, type: message.type }, 'ignored an agent message sent before hello');
      return;
    }
    const ctx = this.context(channel);
    switch (message.type) {
      case 'hello': {
        channel.ready = true;
        // The channel's queue waits for the batch, so later messages still follow the hello's jobs.
        await this.hellos.add(channel, {
          hostId: channel.hostId,
          address: channel.address,
          agentVersion: message.agentVersion,
          ...(message.bootId ? { bootId: message.bootId } : {}),
        });
        return;
      }
      case 'job-started': {
        const stored = await recordJobStarted(ctx, message.jobId);
        if (!stored) await this.logIgnoredJobMessage(channel, ctx, message);
        return;
      }
      case 'output': {
        // A resend of lines already stored also stores zero lines.
        const stored = await recordJobOutput(ctx, message.jobId, message.lines);
        if (stored === 0) await this.logIgnoredJobMessage(channel, ctx, message);
        return;
      }
      case 'job-result': {
        const stored = await recordJobResult(ctx, message.jobId, message.outcome);
        if (!stored) await this.logIgnoredJobMessage(channel, ctx, message, 'ignored a result for a closed job of this host, such as a resent result');
        // The agent deletes its spooled result on the acknowledgement, so a result that is not stored is acknowledged too.
        this.send(channel, { type: 'result-ack', jobId: message.jobId });
        return;
      }
      case 'job-rejected': {
        const stored = await recordJobRejected(ctx, message.jobId, message.reason);
        if (!stored) await this.logIgnoredJobMessage(channel, ctx, message);
        return;
      }
      case 'job-rebooting': {
        const stored = await recordJobRebooting(ctx, message.jobId, message.bootId, message.outcome);
        if (!stored) await this.logIgnoredJobMessage(channel, ctx, message, 'ignored a reboot report for a closed job of this host');
        return;
      }
    }
  }

  /**
   * Logs a job message the database did not take. A message about a job of this host
   * is a resend or comes after the host's part closed, so it is logged at info with
   * `ownJobMessage`, or not at all without one. A message naming a job this host was never
   * part of comes from an agent bug or a forged payload, so it is a warning. The channel
   * remembers the first 100 such job ids and logs each of them once.
   */
  private async logIgnoredJobMessage(channel: Channel, ctx: Context, message: { type: string; jobId: string }, ownJobMessage?: string): Promise<void> {
    if (channel.foreignJobIds.has(message.jobId)) return;

    const fields = { hostId: channel.hostId, jobId: message.jobId, type: message.type };
    if (await isJobHost(ctx, message.jobId)) {
      if (ownJobMessage) this.log.info(fields, ownJobMessage);
      return;
    }

    if (channel.foreignJobIds.size < MAX_FOREIGN_JOBS_REMEMBERED) channel.foreignJobIds.add(message.jobId);
    this.log.warn(
      { ...fields, address: channel.address },
      'ignored an agent message about a job this host is not part of; the agent may be faulty or the message forged',
    );
  }

  private send(channel: Channel, message: ServerMessage): void {
    channel.socket.send(JSON.stringify(message));
  }

  /** Sends jobs claimed after hellos to the channels that sent them, when still open and still their host's current channel. */
  private deliverClaimed(channels: ReadonlySet<Channel>, items: DispatchItem[]): void {
    for (const item of items) {
      const channel = this.channels.get(item.hostId);
      if (!channel || !channels.has(channel) || channel.socket.readyState !== WebSocket.OPEN) continue;
      this.send(channel, { type: 'job', jobId: item.jobId, request: item.request });
    }
  }

  /** Pushes a job's newly released hosts to those that have an open channel here. */
  private async dispatch(jobId: string): Promise<void> {
    const hostIds = [...this.channels.values()].filter((channel) => channel.ready).map((channel) => channel.hostId);
    if (hostIds.length === 0) return;

    try {
      const items = await claimDispatchableJobs(this.db, { hostIds, jobId, onlyPending: true });
      for (const item of items) {
        const channel = this.channels.get(item.hostId);
        if (channel) this.send(channel, { type: 'job', jobId: item.jobId, request: item.request });
      }
    } catch (error) {
      this.log.error({ jobId, err: error }, 'failed to dispatch job to connected agents');
    }
  }

  private broadcastCancel(jobId: string): void {
    for (const channel of this.channels.values()) {
      if (channel.ready) this.send(channel, { type: 'cancel', jobId });
    }
  }

  private heartbeat(): void {
    for (const channel of this.channels.values()) {
      if (!channel.alive) {
        this.log.warn({ hostId: channel.hostId }, 'agent channel missed a ping; closing it');
        channel.socket.terminate();
        continue;
      }
      channel.alive = false;
      channel.socket.ping();
    }
    void this.flushSeen();
  }

  /** Writes last_seen_at for every host that sent a pong, in one statement. */
  private async flushSeen(): Promise<void> {
    if (this.seen.size === 0) return;
    const ids = [...this.seen];
    this.seen.clear();
    try {
      await this.db.execute(sql`
        update hosts set last_seen_at = now(), status = 'online'
        where id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
          and exists (select 1 from certificates c where c.host_id = hosts.id and c.status = 'active')`);
    } catch (error) {
      this.log.error({ err: error, hosts: ids.length }, 'failed to record agent heartbeats');
    }
  }
}
