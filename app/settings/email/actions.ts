'use server';

import { revalidatePath } from 'next/cache';
import { consoleContext } from '@/lib/console-context';
import { ValidationError } from '@/lib/errors';
import type { SmtpErrorInfo } from '@/lib/notifications/send-email';
import { sendTestEmail } from '@/lib/notifications/send-test-email';
import type { SmtpSettingsView } from '@/lib/notifications/smtp-settings';
import { updateSmtpSettings } from '@/lib/notifications/update-smtp-settings';
import { getRuntime } from '@/lib/runtime';

export interface SmtpFormState {
  /** The saved settings after a successful save. */
  saved?: SmtpSettingsView;
  /** The rejected field and the reason, after a failed save. */
  error?: { field: string | null; message: string };
}

export interface SmtpTestState {
  result?: { delivered: true; accepted: string[]; response: string } | { delivered: false; error: SmtpErrorInfo };
  error?: string;
}

function wholeNumber(value: FormDataEntryValue | null): number {
  const text = typeof value === 'string' ? value.trim() : '';
  return /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * Saves the SMTP settings from the form. An empty password field keeps the
 * stored password and the "remove" box deletes it; the password never comes
 * back in the response.
 */
export async function saveSmtpSettingsAction(_previous: SmtpFormState, formData: FormData): Promise<SmtpFormState> {
  const text = (name: string) => {
    const value = formData.get(name);
    return typeof value === 'string' ? value : '';
  };
  const password = text('password');

  try {
    const ctx = await consoleContext();
    const saved = await updateSmtpSettings(ctx, {
      enabled: formData.get('enabled') === 'on',
      host: text('host').trim(),
      port: wholeNumber(formData.get('port')),
      secure: formData.get('secure') === 'on',
      requireTls: formData.get('requireTls') === 'on',
      username: text('username'),
      ...(formData.get('removePassword') === 'on' ? { password: null } : password !== '' ? { password } : {}),
      from: text('from').trim(),
      recipients: text('recipients')
        .split(/[\s,;]+/)
        .filter(Boolean),
      noticeWindowMinutes: wholeNumber(formData.get('noticeWindowMinutes')),
    });
    revalidatePath('/settings/email');
    return { saved };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { error: { field: error.field?.split('.')[0] ?? null, message: error.message } };
    }
    throw error;
  }
}

/** Sends a test email with the saved settings and returns the SMTP server's reply or error for display. */
export async function sendTestEmailAction(_previous: SmtpTestState): Promise<SmtpTestState> {
  try {
    const ctx = await consoleContext();
    const result = await sendTestEmail(ctx, { log: getRuntime().log });
    return {
      result: result.delivered ? { delivered: true, accepted: result.accepted, response: result.response } : { delivered: false, error: result.error },
    };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { error: error.message };
    }
    throw error;
  }
}
