'use server';

import { revalidatePath } from 'next/cache';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { setConsoleTlsStrategy, type SetConsoleTlsStrategyInput } from '@/lib/certificates/set-console-tls-strategy';
import { consoleContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';

export interface TlsStrategyFormState {
  message?: string;
  error?: string;
}

/** Switches the console certificate to the internal CA or to the uploaded chain and key in the form. */
export async function setTlsStrategyAction(_previous: TlsStrategyFormState, formData: FormData): Promise<TlsStrategyFormState> {
  try {
    const ctx = await consoleContext();
    assertAdmin(ctx);
    const { config } = getRuntime();
    const input: SetConsoleTlsStrategyInput =
      formData.get('strategy') === 'uploaded'
        ? {
            strategy: 'uploaded',
            certificateChain: String(formData.get('certificateChain') ?? ''),
            privateKey: String(formData.get('privateKey') ?? ''),
          }
        : { strategy: 'internal' };
    const result = await setConsoleTlsStrategy(ctx, input, { configDir: config.configDir, publicUrl: config.publicUrl });
    revalidatePath('/settings/tls');
    return {
      message:
        result.strategy === 'uploaded'
          ? `The console now serves ${result.subject}; new connections use it within seconds.`
          : 'The console now serves the certificate issued by the internal CA.',
    };
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
}
