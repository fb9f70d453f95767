import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Database } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import type { Context } from '@/lib/context';
import { NotFoundError, UnauthorizedError } from '@/lib/errors';
import { originAllowed } from '@/lib/net/origins';
import { getJob } from '@/lib/patching/get-job';
import { listJobOutput } from '@/lib/patching/list-job-output';
import { consumeWsTicket } from './consume-ws-ticket';
import type { JobEventsHub } from './job-events-hub';

const OUTPUT_BATCH = 1000;

/** Job states after which the stream sends nothing more and closes. */
const FINISHED_JOB_STATES = new Set(['succeeded', 'failed', 'cancelled']);

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The browser's live job stream, `GET /api/v1/ws/jobs?job=<id>&ticket=<ticket>`.
 * Checks run in a fixed order. The Origin header is matched against the allowed
 * origins first (403), so a rejected cross-origin probe never reads or spends the
 * ticket. Then the one-time ticket from `POST /api/v1/ws/tickets` is spent (401
 * without a valid one), then the job must be visible to the ticket's user (404),
 * and only then the upgrade runs. Every later query applies the user's current
 * groups, so a stream whose job becomes hidden closes with code 1008. Cookies play no part. Rejections are logged with the origin and
 * the reason, never the ticket. The
 * stream sends every stored output line, then new lines and status changes
 * as the job events hub reports them, and closes with code 1000 once the job
 * has finished.
 */
export class JobsSocket {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  /** Client address of each open stream, so a settings change can close the ones that lost access. */
  private readonly addresses = new Map<WebSocket, string>();

  constructor(
    private readonly options: {
      db: Database;
      log: Logger;
      events: JobEventsHub;
      allowedOrigins: () => readonly string[];
    },
  ) {}

  /**
   * Upgrades an allowed request to a job stream authenticated by a single-use
   * ticket. `address` is the resolved client address, kept on the actor for audit
   * rows and with the stream for `closeWhere`.
   */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, address: string): Promise<void> {
    const { db, log } = this.options;
    const origin = req.headers.origin;
    if (!originAllowed(origin, this.options.allowedOrigins())) {
      log.warn({ origin: origin ?? null, address, reason: 'origin not allowed' }, 'rejected jobs WebSocket upgrade');
      reject(socket, 403, 'Forbidden');
      return;
    }

    const url = new URL(req.url ?? '/', 'https://console.invalid');
    let ctx: Context;
    try {
      ctx = { actor: await consumeWsTicket(db, url.searchParams.get('ticket'), address), db };
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        log.warn({ origin, address, reason: 'missing, used, expired or unknown ticket' }, 'rejected jobs WebSocket upgrade');
        reject(socket, 401, 'Unauthorized');
        return;
      }
      throw error;
    }

    const jobId = url.searchParams.get('job') ?? '';
    try {
      await getJob(ctx, { jobId });
    } catch (error) {
      if (error instanceof NotFoundError) {
        log.warn({ origin, address, jobId, reason: 'job not found' }, 'rejected jobs WebSocket upgrade');
        reject(socket, 404, 'Not Found');
        return;
      }
      throw error;
    }

    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.addresses.set(ws, address);
      ws.on('close', () => this.addresses.delete(ws));
      void this.stream(ws, ctx, jobId);
    });
  }

  /** Closes every open stream whose client address fails the test, with code 1008; returns how many. */
  closeWhere(refused: (address: string) => boolean, reason: string): number {
    let closed = 0;
    for (const [ws, address] of this.addresses) {
      if (!refused(address)) continue;
      this.options.log.info({ address, reason }, 'closing jobs WebSocket');
      ws.close(1008, reason.slice(0, 120));
      closed += 1;
    }
    return closed;
  }

  close(): void {
    for (const client of this.wss.clients) client.close(1001, 'server shutting down');
    this.wss.close();
  }

  private async stream(ws: WebSocket, ctx: Context, jobId: string): Promise<void> {
    let lastId = 0;
    let fetching: Promise<void> | null = null;
    let again = false;

    const send = (message: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };

    // A group change or demotion can hide the job while the stream is open. The
    // next query then raises NotFoundError, and the stream ends without more data.
    const failed = (error: unknown, message: string) => {
      if (error instanceof NotFoundError) {
        this.options.log.info({ jobId, address: ctx.actor.kind === 'user' ? ctx.actor.address : null }, 'closing jobs WebSocket: job no longer visible');
        if (ws.readyState === ws.OPEN) ws.close(1008, 'job not found');
        return;
      }
      this.options.log.error({ err: error, jobId }, message);
    };

    const pump = async (): Promise<void> => {
      for (;;) {
        const rows = await listJobOutput(ctx, { jobId, afterId: lastId, limit: OUTPUT_BATCH });
        for (const row of rows) {
          send({ type: 'output', hostId: row.hostId, seq: row.seq, stream: row.stream, line: row.line });
          lastId = row.id;
        }
        if (rows.length < OUTPUT_BATCH) return;
      }
    };

    // Coalesces bursts of notifications into one query at a time.
    const fetchOutput = () => {
      if (fetching) {
        again = true;
        return;
      }
      fetching = pump()
        .catch((error: unknown) => failed(error, 'job stream query failed'))
        .finally(() => {
          fetching = null;
          if (again) {
            again = false;
            fetchOutput();
          }
        });
    };

    const sendStatus = async (hostId?: string) => {
      const job = await getJob(ctx, { jobId });
      for (const host of job.hosts) {
        if (hostId && host.hostId !== hostId) continue;
        send({
          type: 'host',
          hostId: host.hostId,
          status: host.status,
          exitCode: host.exitCode,
          failureCause: host.failureCause,
          failureMessage: host.failureMessage,
        });
      }
      send({ type: 'job', status: job.status });
      if (FINISHED_JOB_STATES.has(job.status) && ws.readyState === ws.OPEN) {
        ws.close(1000, 'job finished');
      }
    };

    const unsubscribe = this.options.events.on((event) => {
      if (event.jobId !== jobId) return;
      if (event.kind === 'output') {
        fetchOutput();
      } else if (event.kind === 'host' || event.kind === 'job') {
        void (async () => {
          await fetching;
          fetchOutput();
          await fetching;
          await sendStatus(event.kind === 'host' ? event.hostId : undefined);
        })().catch((error: unknown) => failed(error, 'job stream status failed'));
      }
    });
    ws.on('close', unsubscribe);
    ws.on('message', () => ws.close(1008, 'this stream accepts no messages'));

    fetchOutput();
    await fetching;
    await sendStatus().catch((error: unknown) => failed(error, 'job stream status failed'));
  }
}
