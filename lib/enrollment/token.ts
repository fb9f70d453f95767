import crypto from 'node:crypto';

/** Prefix that makes an enrollment token recognisable in a paste or a secret scanner. */
export const ENROLLMENT_TOKEN_PREFIX = 'pmet_';

/** Generates a token with 256 bits of randomness. */
export function generateEnrollmentToken(): string {
  return ENROLLMENT_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/** SHA-256 of the token, the only form the database stores. */
export function hashEnrollmentToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The path of the agent bundle that install-agent.sh installs on a host. */
export const INSTALLED_AGENT_PATH = '/opt/pm-agent/pm-agent.mjs';

/**
 * Builds the command an operator runs as root on a host where install-agent.sh
 * put the agent. It names the installed bundle by its path: `npx pm-agent`
 * outside this project's folder would fetch a package of that name from the npm
 * registry. The token goes in the environment, which only root and the process
 * itself can read, instead of argv, which other local users can read in the
 * process list. Tokens, URLs and fingerprints need no shell quoting.
 */
export function enrollCommand(options: { serverUrl: string; token: string; caFingerprint: string }): string {
  return `PM_ENROLL_TOKEN=${options.token} node ${INSTALLED_AGENT_PATH} enroll --server ${options.serverUrl} --ca-fingerprint ${options.caFingerprint}`;
}
