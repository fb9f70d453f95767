import { Writable } from 'node:stream';
import pino from 'pino';
import type { PatchOutcomeMessage, ServerMessage } from '@/lib/agent-protocol/schema';
import { AgentChannel } from '@/agent/channel';
import type { SimAgentIdentity } from './issue-agents';

const OUTCOME: PatchOutcomeMessage = {
  exitCode: 0,
  status: 'succeeded',
  failure: null,
  changes: [],
  reboot: { required: 'no', reason: '', packages: [] },
  durationMs: 1000,
};

interface SimChannelAgent {
  identity: SimAgentIdentity;
  channel: AgentChannel;
  connections: number;
  lastConnectedAt: number;
  /** Jobs this agent received; a job sent again after a reconnect is not run twice. */
  jobs: Set<string>;
  /** Results not yet acknowledged by the server; they go out on the next connection. */
  pendingResults: Set<string>;
  firstConnection: Promise<void>;
}

/** Receipt times of one job over the agents that got it. */
interface JobReceipts {
  times: number[];
}

/**
 * Simulated agents that each keep the real agent's channel (`agent/channel.ts`, with its
 * reconnect backoff) open to the agent listener. On a `job` message an agent acknowledges
 * at once with `job-started`. It then sends a succeeded `job-result` right away, or, while
 * `holdResults` is set, on its next connection, like an agent that finishes a job while
 * the server is down and resends its spooled result.
 */
export class SimFleet {
  readonly agents: SimChannelAgent[];
  /** Disconnect reasons per phase, as the channel logs them. */
  readonly disconnects = new Map<string, Map<string, number>>();
  /** Connections per phase, split by whether the TLS session was resumed. */
  readonly connects = new Map<string, { resumed: number; full: number }>();
  phase = 'connect';
  holdResults = false;
  private readonly receipts = new Map<string, JobReceipts>();

  constructor(options: { agentPort: number; caCertPem: string; identities: SimAgentIdentity[] }) {
    const log = pino({ level: 'info', base: null }, this.logSink());
    this.agents = options.identities.map((identity) => {
      let markConnected: () => void = () => {};
      const agent: SimChannelAgent = {
        identity,
        connections: 0,
        lastConnectedAt: 0,
        jobs: new Set(),
        pendingResults: new Set(),
        firstConnection: new Promise<void>((resolve) => (markConnected = resolve)),
        channel: new AgentChannel({
          agentUrl: `https://localhost:${options.agentPort}`,
          tls: { cert: identity.certPem, key: identity.keyPem, ca: options.caCertPem },
          agentVersion: 'bench',
          log,
          onMessage: (message) => this.receive(agent, message),
          onConnected: () => {
            agent.connections += 1;
            agent.lastConnectedAt = performance.now();
            markConnected();
            for (const jobId of agent.pendingResults) agent.channel.send({ type: 'job-result', jobId, outcome: OUTCOME });
          },
        }),
      };
      return agent;
    });
  }

  /**
   * Starts the channels, at most `concurrency` connecting at a time and, with a
   * `ratePerSecond` above 0, no more than that many per second. Resolves when all are
   * open or after `timeoutMs`.
   */
  async connectAll(options: { concurrency: number; ratePerSecond: number; timeoutMs: number }): Promise<{ connected: number; seconds: number }> {
    const started = performance.now();
    const deadline = started + options.timeoutMs;
    let next = 0;
    const loop = async (): Promise<void> => {
      while (next < this.agents.length && performance.now() < deadline) {
        const index = next++;
        const agent = this.agents[index]!;
        if (options.ratePerSecond > 0) await sleep(started + (index * 1000) / options.ratePerSecond - performance.now());
        agent.channel.start();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))));
        await Promise.race([agent.firstConnection, timeout]);
        clearTimeout(timer);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, loop));
    return { connected: this.connectedCount(), seconds: (performance.now() - started) / 1000 };
  }

  connectedCount(): number {
    return this.agents.filter((agent) => agent.channel.connected).length;
  }

  /** Waits until `count` agents received `jobId`; returns the receipt times in milliseconds of `performance.now()`, sorted. */
  async waitForJob(jobId: string, count: number, timeoutMs: number): Promise<number[]> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const times = this.receipts.get(jobId)?.times ?? [];
      if (times.length >= count) break;
      await sleep(10);
    }
    return [...(this.receipts.get(jobId)?.times ?? [])].sort((a, b) => a - b);
  }

  /** Sends every held result on the open connections. */
  flushResults(): void {
    for (const agent of this.agents) {
      for (const jobId of agent.pendingResults) agent.channel.send({ type: 'job-result', jobId, outcome: OUTCOME });
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.channel.stop()));
  }

  private receive(agent: SimChannelAgent, message: ServerMessage): void {
    if (message.type === 'result-ack') {
      agent.pendingResults.delete(message.jobId);
      return;
    }
    if (message.type !== 'job' || agent.jobs.has(message.jobId)) return;

    agent.jobs.add(message.jobId);
    let receipts = this.receipts.get(message.jobId);
    if (!receipts) {
      receipts = { times: [] };
      this.receipts.set(message.jobId, receipts);
    }
    receipts.times.push(performance.now());
    agent.channel.send({ type: 'job-started', jobId: message.jobId });
    agent.pendingResults.add(message.jobId);
    if (!this.holdResults) agent.channel.send({ type: 'job-result', jobId: message.jobId, outcome: OUTCOME });
  }

  /** Creates a pino destination that counts connections and `channel.disconnected` reasons per phase and drops the rest. */
  private logSink(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        for (const line of chunk.toString().split('\n')) {
          if (line.includes('"channel.connected"')) {
            const counts = this.connects.get(this.phase) ?? { resumed: 0, full: 0 };
            counts[line.includes('"resumed":true') ? 'resumed' : 'full'] += 1;
            this.connects.set(this.phase, counts);
            continue;
          }
          if (!line.includes('"channel.disconnected"')) continue;
          const entry = JSON.parse(line) as { code?: number; reason?: string };
          const key = `${entry.code ?? '?'} ${entry.reason ?? ''}`.slice(0, 120);
          let counts = this.disconnects.get(this.phase);
          if (!counts) {
            counts = new Map();
            this.disconnects.set(this.phase, counts);
          }
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        callback();
      },
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
