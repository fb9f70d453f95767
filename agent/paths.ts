import path from 'node:path';

/** Directory of the agent's key, certificates, settings and result spool unless `PM_AGENT_DIR` names another. */
export const DEFAULT_AGENT_DIR = '/var/lib/pm-agent';

/** Environment variables as the agent reads them; `process.env` fits, and so does a plain object in tests. */
export type AgentEnvironment = Readonly<Record<string, string | undefined>>;

/** Files under the agent directory. */
export interface AgentPaths {
  dir: string;
  /** Private key in PKCS#8 PEM, mode 0600. It is generated on the host and never sent. */
  key: string;
  /** Client certificate issued by the internal CA at enrollment. */
  cert: string;
  /** Internal CA certificate, pinned by its fingerprint at enrollment. */
  ca: string;
  /** Enrollment settings (`AgentSettings`); its presence means the host is enrolled. */
  settings: string;
  /** Inventory section hashes the server acknowledged. */
  state: string;
  /** Job results written before they are sent, deleted when the server acknowledges them. */
  spool: string;
}

/** Returns the agent directory from `PM_AGENT_DIR`, or the default when it is unset or empty. */
export function agentDirFromEnv(env: AgentEnvironment): string {
  const configured = env.PM_AGENT_DIR?.trim();
  return path.resolve(configured ? configured : DEFAULT_AGENT_DIR);
}

/** Returns the paths of the agent's files under `dir`. */
export function agentPaths(dir: string): AgentPaths {
  return {
    dir,
    key: path.join(dir, 'key.pem'),
    cert: path.join(dir, 'cert.pem'),
    ca: path.join(dir, 'ca.pem'),
    settings: path.join(dir, 'agent.json'),
    state: path.join(dir, 'state.json'),
    spool: path.join(dir, 'spool'),
  };
}
