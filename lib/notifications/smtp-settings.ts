import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '@/lib/db/client';

/** Settings key of the SMTP configuration. */
export const SMTP_SETTINGS_KEY = 'smtp';

/** Default time within which a notice about the same thing is sent at most once, in minutes. */
export const DEFAULT_NOTICE_WINDOW_MINUTES = 60;

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

const hostSchema = z
  .string()
  .trim()
  .max(253, { error: 'host: at most 253 characters' })
  .refine((value) => value === '' || HOST_NAME.test(value) || z.ipv4().safeParse(value).success || z.ipv6().safeParse(value).success, {
    error: 'host: expected a host name or IP address, such as smtp.example.com',
  });

const emailSchema = z.email({ error: 'expected an email address, such as patch-manager@example.com' }).max(254);

/** The SMTP configuration as stored in the settings table, password included. */
export const storedSmtpSettingsSchema = z.object({
  enabled: z.boolean(),
  host: hostSchema,
  port: z.number().int().min(1).max(65535),
  /** Implicit TLS from the first byte (SMTPS, usually port 465). */
  secure: z.boolean(),
  /** Refuse to send unless the server upgrades the connection with STARTTLS; ignored with `secure`. */
  requireTls: z.boolean(),
  username: z.string().max(256),
  password: z.string().max(1024),
  from: z.union([z.literal(''), emailSchema]),
  recipients: z.array(emailSchema).max(50),
  noticeWindowMinutes: z.number().int().min(5).max(10_080),
});

export type StoredSmtpSettings = z.infer<typeof storedSmtpSettingsSchema>;

/** The SMTP configuration as the API and the settings page show it: the password is write-only. */
export type SmtpSettingsView = Omit<StoredSmtpSettings, 'password'> & { passwordSet: boolean };

/** Settings used before an Admin saves any: disabled, STARTTLS required on the submission port. */
export const DEFAULT_SMTP_SETTINGS: StoredSmtpSettings = {
  enabled: false,
  host: '',
  port: 587,
  secure: false,
  requireTls: true,
  username: '',
  password: '',
  from: '',
  recipients: [],
  noticeWindowMinutes: DEFAULT_NOTICE_WINDOW_MINUTES,
};

/**
 * Request body of `PUT /api/v1/settings/smtp`: every field but the password.
 * `password` absent keeps the stored one, `null` removes it and a string
 * replaces it. Enabling needs a host, a sender and at least one recipient.
 */
export const smtpSettingsInput = z
  .object({
    enabled: z.boolean({ error: 'enabled: expected true or false' }),
    host: hostSchema,
    port: z
      .number({ error: 'port: expected a whole number from 1 to 65535' })
      .int({ error: 'port: expected a whole number from 1 to 65535' })
      .min(1, { error: 'port: expected a whole number from 1 to 65535' })
      .max(65535, { error: 'port: expected a whole number from 1 to 65535' }),
    secure: z.boolean({ error: 'secure: expected true or false' }),
    requireTls: z.boolean({ error: 'requireTls: expected true or false' }),
    username: z.string().trim().max(256, { error: 'username: at most 256 characters' }),
    password: z.string().min(1, { error: 'password: must not be empty; send null to remove it' }).max(1024).nullable().optional(),
    from: z.union([z.literal(''), emailSchema], { error: 'from: expected an email address, such as patch-manager@example.com' }),
    recipients: z
      .array(emailSchema, { error: 'recipients: expected a list of email addresses' })
      .max(50, { error: 'recipients: at most 50 addresses' }),
    noticeWindowMinutes: z
      .number({ error: 'noticeWindowMinutes: expected a whole number of minutes from 5 to 10080' })
      .int({ error: 'noticeWindowMinutes: expected a whole number of minutes from 5 to 10080' })
      .min(5, { error: 'noticeWindowMinutes: expected a whole number of minutes from 5 to 10080' })
      .max(10_080, { error: 'noticeWindowMinutes: expected a whole number of minutes from 5 to 10080' })
      .default(DEFAULT_NOTICE_WINDOW_MINUTES),
  })
  .strict()
  .superRefine((value, issue) => {
    if (value.enabled && value.host === '') {
      issue.addIssue({ code: 'custom', path: ['host'], message: 'host: required to enable email' });
    }
    if (value.enabled && value.from === '') {
      issue.addIssue({ code: 'custom', path: ['from'], message: 'from: required to enable email' });
    }
    if (value.enabled && value.recipients.length === 0) {
      issue.addIssue({ code: 'custom', path: ['recipients'], message: 'recipients: at least one address is required to enable email' });
    }
  });

export type SmtpSettingsInput = z.input<typeof smtpSettingsInput>;

/** Returns the settings with the password replaced by whether one is stored. */
export function toSmtpSettingsView(settings: StoredSmtpSettings): SmtpSettingsView {
  const { password, ...rest } = settings;
  return { ...rest, passwordSet: password !== '' };
}

/**
 * Reads the stored SMTP settings, password included, or the defaults when
 * none are stored. A stored value that no longer parses reads as the defaults
 * with email disabled, so a damaged row never sends with half a configuration.
 * Only lib/notifications calls this; the password must never leave lib/.
 */
export async function readStoredSmtpSettings(db: Pick<Database, 'execute'>): Promise<StoredSmtpSettings> {
  const [row] = await db.execute<{ value: unknown }>(sql`select value from settings where key = ${SMTP_SETTINGS_KEY}`);
  if (!row) {
    return { ...DEFAULT_SMTP_SETTINGS };
  }

  const merged = { ...DEFAULT_SMTP_SETTINGS, ...(row.value as Partial<StoredSmtpSettings>) };
  const parsed = storedSmtpSettingsSchema.safeParse(merged);
  return parsed.success ? parsed.data : { ...DEFAULT_SMTP_SETTINGS, enabled: false };
}
