'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { consoleContext } from '@/lib/console-context';
import { ConflictError, ValidationError } from '@/lib/errors';
import { originDefaultsFromConfig } from '@/lib/net/allowed-origins';
import { CLIENT_CONNECTION_HEADER, decodeClientConnection } from '@/lib/net/client-address';
import { reloadLocalNetworkGuard } from '@/lib/net/network-guard';
import type { NetworkSettingsView } from '@/lib/net/network-settings';
import { updateNetworkSettings } from '@/lib/net/update-network-settings';
import { getRuntime } from '@/lib/runtime';

export interface NetworkFormState {
  /** The saved lists after a successful save. */
  saved?: NetworkSettingsView;
  /** The rejected field and the reason, after a refused save. */
  error?: { field: string | null; message: string };
}

/** Splits a text area into entries: one per line, commas and spaces also separate. */
function entries(value: FormDataEntryValue | null): string[] {
  return (typeof value === 'string' ? value : '').split(/[\s,;]+/).filter(Boolean);
}

/** Saves the IP allowlist, the trusted proxies and the allowed origins from the form; a lockout or a bad entry comes back as a message. */
export async function saveNetworkSettingsAction(_previous: NetworkFormState, formData: FormData): Promise<NetworkFormState> {
  try {
    const ctx = await consoleContext();
    const requestHeaders = await headers();
    const connection = decodeClientConnection(requestHeaders.get(CLIENT_CONNECTION_HEADER));
    const input = {
      ipAllowlist: entries(formData.get('ipAllowlist')),
      trustedProxies: entries(formData.get('trustedProxies')),
      allowedOrigins: entries(formData.get('allowedOrigins')),
    };
    const saved = await updateNetworkSettings(ctx, input, connection, {
      requestOrigin: requestHeaders.get('origin'),
      defaults: originDefaultsFromConfig(getRuntime().config),
    });
    await reloadLocalNetworkGuard();
    revalidatePath('/settings/network');
    return { saved };
  } catch (error) {
    if (error instanceof ValidationError || error instanceof ConflictError) {
      return { error: { field: error.field?.split('.')[0] ?? null, message: error.message } };
    }
    throw error;
  }
}
