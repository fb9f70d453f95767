import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { authenticateRequest } from '@/lib/auth/authenticate-request';
import type { Database } from '@/lib/db/client';
import { isEnrollmentTokenUsable } from '@/lib/enrollment/check-enrollment-token';
import { NotFoundError, UnauthorizedError } from '@/lib/errors';
import type { FailureLimiter } from '@/lib/rate-limits/failure-limiter';

/** Request header that carries an enrollment token to the download routes. */
export const ENROLLMENT_TOKEN_HEADER = 'x-enrollment-token';

/** A file served under /downloads/, relative to the app directory (the server's working directory). */
interface AgentDownload {
  file: string;
  contentType: string;
  /** Command that creates the file when it is missing. */
  missingHint: string;
}

/** The files served under /downloads/, by name. */
export const AGENT_DOWNLOADS: Readonly<Record<'pm-agent.mjs' | 'install-agent.sh', AgentDownload>> = {
  'pm-agent.mjs': {
    file: 'dist/pm-agent.mjs',
    contentType: 'text/javascript; charset=utf-8',
    missingHint: 'build it with `node scripts/build-agent.mjs` and install again',
  },
  'install-agent.sh': {
    file: 'deploy/agent/install-agent.sh',
    contentType: 'text/x-shellscript; charset=utf-8',
    missingHint: 'the app directory is incomplete; install it again with deploy/install.sh',
  },
};

/**
 * Admits a download request that carries a usable enrollment token in the
 * `X-Enrollment-Token` header, or else a signed-in console user's access token.
 * The downloads hold no secrets, but the install script runs as root on the
 * host, so it is served only to callers who may enroll a host anyway. Throws
 * UnauthorizedError otherwise, without saying which check failed. The token
 * check runs under the enrollment limiter, so an unusable token counts as a
 * failed enrollment of the address, and an address over the limit gets
 * TooManyRequestsError before the token is looked up.
 */
export async function authorizeDownload(options: { db: Database; headers: Headers; address: string; limiter: FailureLimiter }): Promise<void> {
  const token = options.headers.get(ENROLLMENT_TOKEN_HEADER)?.trim();
  if (token && (await checkTokenUnderLimit(options.limiter, options.address, () => isEnrollmentTokenUsable(options.db, token)))) return;

  try {
    await authenticateRequest(options.headers, options.address);
  } catch (error) {
    if (error instanceof UnauthorizedError) {
      throw new UnauthorizedError('download requires a usable enrollment token in the X-Enrollment-Token header, or a console sign-in');
    }
    throw error;
  }
}

async function checkTokenUnderLimit(limiter: FailureLimiter, address: string, isUsable: () => Promise<boolean>): Promise<boolean> {
  try {
    await limiter.run(address, async () => {
      if (!(await isUsable())) {
        throw new UnauthorizedError('enrollment token is not usable');
      }
    });
    return true;
  } catch (error) {
    if (error instanceof UnauthorizedError) {
      return false;
    }
    throw error;
  }
}

/** Reads a download from the app directory; throws NotFoundError naming the missing file and the fix. */
export async function readAgentDownload(name: keyof typeof AGENT_DOWNLOADS, appDir = process.cwd()): Promise<Buffer> {
  const download = AGENT_DOWNLOADS[name];
  // The file lies outside the build, so the build need not trace it.
  const file = path.join(/* turbopackIgnore: true */ appDir, download.file);
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`${name} is not available on this server; ${download.missingHint}`);
    }
    throw error;
  }
}
