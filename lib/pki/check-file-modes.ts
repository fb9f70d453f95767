import { statSync } from 'node:fs';
import path from 'node:path';

import { pkiPaths } from './paths';

/** A secret file whose mode or owner is unsafe; the message names the file and the command that fixes it. */
export class FileModeError extends Error {
  override readonly name = 'FileModeError';
}

interface Rule {
  file: string;
  /** Mode bits that must be clear. */
  forbidden: number;
  /** Mode to suggest in the fix. */
  fix: string;
  description: string;
  /** Whether the file must belong to the user the process runs as. */
  ownedByServiceUser: boolean;
}

/**
 * Checks the modes of the files whose exposure would let someone impersonate the
 * server, at start and before anything reads them. Refuses when a private key is
 * accessible to group or others or owned by another user: the CA key
 * `<configDir>/ca/ca.key`, the JWT signing key `<configDir>/jwt/signing.pem`, the web,
 * uploaded console and OCSP responder keys, and the agent listener's session ticket
 * keys. Also refuses when the configuration file is writable by group or accessible to
 * others (expected mode 0640). Missing files are skipped, because the server creates
 * them with safe modes. Throws one `FileModeError` listing every
 * problem, each with the `chmod` or `chown` command that fixes it.
 */
export function checkSecretFileModes(options: { configDir: string; configFile: string | null }): void {
  const keys = pkiPaths(options.configDir);
  const privateKey = (file: string, description: string): Rule => ({
    file,
    forbidden: 0o077,
    fix: '600',
    description,
    ownedByServiceUser: true,
  });
  const rules: Rule[] = [
    privateKey(keys.caKey, 'internal CA key'),
    privateKey(path.join(options.configDir, 'jwt', 'signing.pem'), 'JWT signing key'),
    privateKey(keys.webKey, 'web listener key'),
    privateKey(keys.agentTicketKeys, 'agent listener session ticket keys'),
    privateKey(path.join(options.configDir, 'tls', 'uploaded.key'), 'uploaded console key'),
    privateKey(path.join(options.configDir, 'ocsp', 'responder.key'), 'OCSP responder key'),
  ];
  if (options.configFile !== null) {
    rules.push({ file: options.configFile, forbidden: 0o027, fix: '640', description: 'configuration file', ownedByServiceUser: false });
  }

  const problems: string[] = [];
  for (const rule of rules) {
    let stats;
    try {
      stats = statSync(rule.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }

    const mode = stats.mode & 0o777;
    if ((mode & rule.forbidden) !== 0) {
      problems.push(
        `${rule.description} ${rule.file} has mode ${mode.toString(8).padStart(4, '0')}; run "chmod ${rule.fix} ${rule.file}"`,
      );
    }
    const uid = process.getuid?.();
    if (rule.ownedByServiceUser && uid !== undefined && stats.uid !== uid) {
      problems.push(`${rule.description} ${rule.file} belongs to uid ${stats.uid}, not to the service user (uid ${uid}); run "chown ${uid} ${rule.file}"`);
    }
  }

  if (problems.length > 0) {
    throw new FileModeError(`refusing to start because secret files are exposed:\n  ${problems.join('\n  ')}`);
  }
}
