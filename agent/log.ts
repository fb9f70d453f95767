import pino from 'pino';

import { REDACT_PATHS } from '../lib/log';

export type AgentLogger = pino.Logger;

/**
 * Creates the agent's logger: one JSON object per line on stderr, so stdout stays
 * free for command output, written synchronously so the last lines before an exit
 * are not lost. The server's redact list applies, so a field named like a key or a
 * token is never printed.
 */
export function createAgentLogger(options: { level?: string } = {}): AgentLogger {
  return pino(
    {
      name: 'pm-agent',
      level: options.level ?? process.env.PM_AGENT_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
