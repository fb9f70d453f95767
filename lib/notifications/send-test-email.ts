import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { ValidationError } from '@/lib/errors';
import type { Logger } from '@/lib/log';
import { sendEmail, SmtpSendError, type EmailDelivery, type SmtpErrorInfo } from './send-email';
import { readStoredSmtpSettings } from './smtp-settings';

/** Outcome of a test send: the server's reply, or the SMTP error described for an Admin. */
export type TestEmailResult = ({ delivered: true } & EmailDelivery) | { delivered: false; error: SmtpErrorInfo };

/**
 * Sends a test message with the stored SMTP settings to the configured
 * recipients (Admin only), whether or not notices are enabled, so a
 * configuration can be checked before it is switched on. An SMTP failure is
 * returned as data, not raised, so the page can show the server's reply.
 * Raises ValidationError when the settings lack a host, sender or recipient.
 */
export async function sendTestEmail(ctx: Context, options: { log: Logger }): Promise<TestEmailResult> {
  assertAdmin(ctx);
  const settings = await readStoredSmtpSettings(ctx.db);
  if (settings.host === '' || settings.from === '' || settings.recipients.length === 0) {
    throw new ValidationError('SMTP settings are incomplete: save a host, a sender address and at least one recipient first', { field: 'host' });
  }

  try {
    const delivery = await sendEmail(settings, {
      subject: '[Patch Manager] Test email',
      text: [
        'This is a test email from Patch Manager.',
        '',
        `It was sent through ${settings.host}:${settings.port} at ${new Date().toISOString()}.`,
        'Notices about failed jobs, offline hosts, expiring certificates and audit log verification failures use these settings.',
      ].join('\n'),
    });
    options.log.info({ smtpHost: settings.host, accepted: delivery.accepted.length }, 'test email sent');
    return { delivered: true, ...delivery };
  } catch (error) {
    if (!(error instanceof SmtpSendError)) {
      throw error;
    }
    options.log.warn({ smtpHost: settings.host, smtpError: error.info }, 'test email failed');
    return { delivered: false, error: error.info };
  }
}
