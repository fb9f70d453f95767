'use client';

import { useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Badge, type BadgeProps } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';

interface OutputLine {
  seq: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

interface HostLines {
  lines: OutputLine[];
  /** Highest sequence number received, so replayed lines are skipped. */
  lastSeq: number;
  dropped: number;
}

type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface JobOutputProps {
  jobId: string;
  hosts: { hostId: string; hostname: string }[];
  /** Whether the job had finished when the page rendered; the socket of a finished job is not reopened. */
  finished: boolean;
}

const FINISHED_JOB_STATUSES = new Set(['succeeded', 'failed', 'cancelled']);
// Lines kept per host in the browser; older ones are dropped from the view but
// stay in the stored job log.
const MAX_LINES_PER_HOST = 5000;
const MAX_RECONNECT_DELAY_MS = 30_000;

const STATE_BADGE: Record<ConnectionState, { variant: NonNullable<BadgeProps['variant']>; label: string }> = {
  connecting: { variant: 'secondary', label: 'connecting' },
  open: { variant: 'success', label: 'live' },
  reconnecting: { variant: 'warning', label: 'reconnecting' },
  closed: { variant: 'outline', label: 'closed' },
};

function isOutputMessage(value: Record<string, unknown>): value is { type: 'output'; hostId: string; seq: number; stream: 'stdout' | 'stderr'; line: string } {
  return (
    value.type === 'output' &&
    typeof value.hostId === 'string' &&
    typeof value.seq === 'number' &&
    (value.stream === 'stdout' || value.stream === 'stderr') &&
    typeof value.line === 'string'
  );
}

function postSameOrigin(path: string): Promise<Response> {
  return fetch(path, { method: 'POST', credentials: 'same-origin', cache: 'no-store' });
}

/**
 * Asks the console for a one-time WebSocket ticket. An expired access token is
 * renewed once through the refresh endpoint (its cookie reaches only that path),
 * so a page left open longer than the access token still reconnects.
 */
async function requestTicket(): Promise<string> {
  let response = await postSameOrigin('/api/v1/ws/tickets');
  if (response.status === 401 && (await postSameOrigin('/api/v1/auth/refresh')).ok) {
    response = await postSameOrigin('/api/v1/ws/tickets');
  }
  const body: unknown = response.ok ? await response.json() : null;
  const ticket = (body as { ticket?: unknown } | null)?.ticket;
  if (typeof ticket !== 'string') {
    throw new Error(`the WebSocket ticket request failed with status ${response.status}`);
  }
  return ticket;
}

/**
 * Streams a job's output over the jobs WebSocket, one scrolling panel per host.
 * The server replays stored lines before live ones, so lines are deduplicated by
 * their per-host sequence number, which also makes a reconnect safe.
 */
export function JobOutput({ jobId, hosts, finished }: JobOutputProps) {
  const router = useRouter();
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [output, setOutput] = useState(new Map<string, HostLines>());
  // A ref, so a refreshed page that reports the job finished does not reopen the socket.
  const finishedRef = useRef(finished);

  useEffect(() => {
    finishedRef.current = finished;
  }, [finished]);

  useEffect(() => {
    let socket: WebSocket | undefined;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let frame: number | undefined;
    let attempts = 0;
    let stopped = false;
    let finishedMessage = false;
    // Lines can arrive faster than the screen repaints, so they collect here and
    // reach React state at most once per animation frame (one pending frame at a time).
    const buffer = new Map<string, HostLines>();

    const scheduleRender = () => {
      frame ??= requestAnimationFrame(() => {
        frame = undefined;
        setOutput(new Map([...buffer].map(([hostId, host]) => [hostId, { ...host, lines: host.lines.slice() }])));
      });
    };

    const appendLine = (hostId: string, line: OutputLine) => {
      const host = buffer.get(hostId) ?? { lines: [], lastSeq: -1, dropped: 0 };
      if (line.seq <= host.lastSeq) {
        return;
      }

      host.lastSeq = line.seq;
      host.lines.push(line);
      if (host.lines.length > MAX_LINES_PER_HOST) {
        const excess = host.lines.length - MAX_LINES_PER_HOST;
        host.lines.splice(0, excess);
        host.dropped += excess;
      }
      buffer.set(hostId, host);
      scheduleRender();
    };

    const handleMessage = (event: MessageEvent) => {
      let message: unknown;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (typeof message !== 'object' || message === null) {
        return;
      }

      const record = message as Record<string, unknown>;
      if (isOutputMessage(record)) {
        appendLine(record.hostId, { seq: record.seq, stream: record.stream, line: record.line });
        return;
      }
      if (record.type === 'job' && typeof record.status === 'string' && FINISHED_JOB_STATUSES.has(record.status)) {
        finishedMessage = true;
      }
      if (record.type === 'host' || record.type === 'job') {
        router.refresh();
      }
    };

    const scheduleReconnect = () => {
      attempts += 1;
      const delay = Math.min(MAX_RECONNECT_DELAY_MS, 1000 * 2 ** Math.min(attempts, 5));
      setConnection('reconnecting');
      reconnectTimer = setTimeout(() => void connect(), delay);
    };

    // Every connect spends a fresh one-time ticket; the socket itself carries no cookie authentication.
    const connect = async () => {
      let ticket: string;
      try {
        ticket = await requestTicket();
      } catch {
        if (!stopped) {
          scheduleReconnect();
        }
        return;
      }
      if (stopped) {
        return;
      }

      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      const query = `job=${encodeURIComponent(jobId)}&ticket=${encodeURIComponent(ticket)}`;
      socket = new WebSocket(`${scheme}://${window.location.host}/api/v1/ws/jobs?${query}`);
      socket.addEventListener('open', () => {
        attempts = 0;
        setConnection('open');
      });
      socket.addEventListener('message', handleMessage);
      socket.addEventListener('close', () => {
        if (stopped) {
          return;
        }
        if (finishedMessage || finishedRef.current) {
          setConnection('closed');
          return;
        }
        scheduleReconnect();
      });
    };

    void connect();

    return () => {
      stopped = true;
      clearTimeout(reconnectTimer);
      if (frame !== undefined) {
        cancelAnimationFrame(frame);
      }
      socket?.close();
    };
  }, [jobId, router]);

  const badge = STATE_BADGE[connection];

  return (
    <Card>
      <CardHeader className="flex-row items-center justify-between">
        <div>
          <CardTitle>Output</CardTitle>
          <CardDescription>Each host&apos;s output as the agent sends it; stderr lines are red.</CardDescription>
        </div>
        <Badge variant={badge.variant} data-testid="ws-state" data-state={connection}>
          {badge.label}
        </Badge>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {hosts.map((host) => (
          <HostOutput
            key={host.hostId}
            hostId={host.hostId}
            hostname={host.hostname}
            lines={output.get(host.hostId)?.lines ?? []}
            dropped={output.get(host.hostId)?.dropped ?? 0}
          />
        ))}
      </CardContent>
    </Card>
  );
}

function HostOutput({ hostId, hostname, lines, dropped }: { hostId: string; hostname: string; lines: OutputLine[]; dropped: number }) {
  const preRef = useRef<HTMLPreElement>(null);
  const followRef = useRef(true);
  const lineCount = lines.length;

  // Keeps the newest line in view unless the operator has scrolled up to read.
  useEffect(() => {
    const pre = preRef.current;
    if (pre && followRef.current) {
      pre.scrollTop = pre.scrollHeight;
    }
  }, [lineCount, dropped]);

  const onScroll = () => {
    const pre = preRef.current;
    if (pre) {
      followRef.current = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
    }
  };

  return (
    <section>
      <h3 className="mb-1 text-sm font-medium">{hostname}</h3>
      <pre
        ref={preRef}
        onScroll={onScroll}
        data-testid="job-output"
        data-host-id={hostId}
        className="max-h-96 min-h-16 overflow-auto rounded-md bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-100"
      >
        {dropped > 0 && <span className="text-slate-400">{`… ${dropped} earlier lines not shown here\n`}</span>}
        {lines.length === 0 && <span className="text-slate-400">No output yet.</span>}
        {lines.map((line) => (
          <span key={line.seq} className={line.stream === 'stderr' ? 'text-red-300' : undefined}>
            {`${line.line}\n`}
          </span>
        ))}
      </pre>
    </section>
  );
}
