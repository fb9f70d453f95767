import path from 'node:path';

/** Returns the paths of the uploaded console certificate chain and key. */
export function uploadedTlsPaths(configDir: string): { chain: string; key: string } {
  return { chain: path.join(configDir, 'tls', 'uploaded.pem'), key: path.join(configDir, 'tls', 'uploaded.key') };
}

/** Settings row that records the console certificate strategy. */
export const CONSOLE_TLS_SETTING = 'console_tls';

/** Value of the `console_tls` setting. */
export type ConsoleTlsSetting =
  | { strategy: 'internal' }
  | { strategy: 'uploaded'; subject: string; fingerprint: string; notAfter: string };
