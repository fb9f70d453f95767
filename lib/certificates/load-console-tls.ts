import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import { settings } from '@/lib/db/schema';
import { readPrivateKeyFile } from '@/lib/pki/pki-files';
import { validateUploadedChain } from '@/lib/pki/validate-uploaded-chain';
import { CONSOLE_TLS_SETTING, type ConsoleTlsSetting, uploadedTlsPaths } from './console-tls-files';

/** Returns the stored console certificate strategy; internal when none was chosen. */
export async function readConsoleTlsSetting(db: Database): Promise<ConsoleTlsSetting> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, CONSOLE_TLS_SETTING));
  const value = row?.value as ConsoleTlsSetting | undefined;
  return value?.strategy === 'uploaded' ? value : { strategy: 'internal' };
}

/**
 * Returns the certificate chain and key the web listener should serve: the uploaded
 * ones when that strategy is chosen and the files still validate (present, matching,
 * complete and not expired), otherwise the internal CA's web certificate. A failing
 * upload is reported through `onFallback` so the console stays reachable and the log
 * names the reason.
 */
export async function loadConsoleTls(options: {
  db: Database;
  configDir: string;
  publicUrl: string;
  internal: { certPem: string; keyPem: string };
  onFallback: (reason: string) => void;
}): Promise<{ certPem: string; keyPem: string; strategy: ConsoleTlsSetting['strategy'] }> {
  const setting = await readConsoleTlsSetting(options.db);
  if (setting.strategy === 'internal') {
    return { ...options.internal, strategy: 'internal' };
  }

  try {
    const paths = uploadedTlsPaths(options.configDir);
    const keyPem = await readPrivateKeyFile(paths.key);
    if (keyPem === null) {
      throw new Error(`${paths.key} is missing`);
    }
    const chainPem = await readFile(paths.chain, 'utf8');
    const validated = validateUploadedChain({ chainPem, keyPem, publicUrl: options.publicUrl });
    return { certPem: validated.servedChainPem, keyPem: validated.keyPem, strategy: 'uploaded' };
  } catch (error) {
    options.onFallback((error as Error).message);
    return { ...options.internal, strategy: 'internal' };
  }
}
