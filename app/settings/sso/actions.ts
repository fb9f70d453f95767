'use server';

import { revalidatePath } from 'next/cache';
import type { AzureSsoSettingsView } from '@/lib/auth/sso/azure-sso-settings';
import { listMappableHostGroups } from '@/lib/auth/sso/list-mappable-host-groups';
import { parseGroupMappingLines } from '@/lib/auth/sso/group-mapping-lines';
import { testAzureSsoSettings, type AzureSsoTestResult } from '@/lib/auth/sso/test-azure-sso-settings';
import { updateAzureSsoSettings } from '@/lib/auth/sso/update-azure-sso-settings';
import { consoleContext } from '@/lib/console-context';
import { ValidationError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';

export interface AzureSsoFormState {
  /** The saved settings after a successful save. */
  saved?: AzureSsoSettingsView;
  /** The rejected field and the reason, after a failed save. */
  error?: { field: string | null; message: string };
}

export interface AzureSsoTestState {
  result?: AzureSsoTestResult;
  error?: string;
}

function textOf(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
}

function listOf(formData: FormData, name: string): string[] {
  return textOf(formData, name)
    .split(/[\s,;]+/)
    .filter(Boolean);
}

/**
 * Saves the Entra ID sign-in settings from the form. An empty secret field keeps
 * the stored secret and the "remove" box deletes it; the secret never comes back.
 */
export async function saveAzureSsoSettingsAction(_previous: AzureSsoFormState, formData: FormData): Promise<AzureSsoFormState> {
  const clientSecret = textOf(formData, 'clientSecret');
  try {
    const ctx = await consoleContext();
    const groupMappings = parseGroupMappingLines(textOf(formData, 'groupMappings'), await listMappableHostGroups(ctx));
    const saved = await updateAzureSsoSettings(
      ctx,
      {
        enabled: formData.get('enabled') === 'on',
        tenantId: textOf(formData, 'tenantId'),
        clientId: textOf(formData, 'clientId'),
        authority: textOf(formData, 'authority'),
        ...(formData.get('removeClientSecret') === 'on' ? { clientSecret: null } : clientSecret !== '' ? { clientSecret } : {}),
        groupMappings,
        restrictLocalLogin: formData.get('restrictLocalLogin') === 'on',
        breakGlassUsernames: listOf(formData, 'breakGlassUsernames'),
      },
      { publicUrl: getRuntime().config.publicUrl },
    );
    revalidatePath('/settings/sso');
    return { saved };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { error: { field: error.field?.split('.')[0] ?? null, message: error.message } };
    }
    throw error;
  }
}

/** Tests the tenant, client id, authority and secret in the form (the stored secret when the field is empty) without saving them. */
export async function testAzureSsoSettingsAction(_previous: AzureSsoTestState, formData: FormData): Promise<AzureSsoTestState> {
  const clientSecret = textOf(formData, 'clientSecret');
  try {
    const ctx = await consoleContext();
    const result = await testAzureSsoSettings(
      ctx,
      {
        tenantId: textOf(formData, 'tenantId'),
        clientId: textOf(formData, 'clientId'),
        authority: textOf(formData, 'authority'),
        ...(clientSecret !== '' ? { clientSecret } : {}),
        redirectUri: textOf(formData, 'registeredRedirectUri'),
      },
      { publicUrl: getRuntime().config.publicUrl },
    );
    return { result };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { error: error.message };
    }
    throw error;
  }
}
