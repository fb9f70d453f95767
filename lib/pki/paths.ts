import path from 'node:path';

/** Locations of the internal CA and web listener key material under the config directory. */
export interface PkiPaths {
  caKey: string;
  caCert: string;
  webKey: string;
  webCert: string;
  /** Session ticket keys of the agent listener, shared by every server process and restart. */
  agentTicketKeys: string;
}

/**
 * Returns where the PKI files live. The CA key sits alone in `ca/` and the web listener's
 * key in `tls/`, so each directory can be 0700 and backed up or restored on its own.
 */
export function pkiPaths(configDir: string): PkiPaths {
  return {
    caKey: path.join(configDir, 'ca', 'ca.key'),
    caCert: path.join(configDir, 'ca', 'ca.pem'),
    webKey: path.join(configDir, 'tls', 'web.key'),
    webCert: path.join(configDir, 'tls', 'web.pem'),
    agentTicketKeys: path.join(configDir, 'tls', 'agent-tickets.key'),
  };
}
