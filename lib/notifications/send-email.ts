import nodemailer from 'nodemailer';
import type { StoredSmtpSettings } from './smtp-settings';

/** Time allowed to open the connection and to receive the server greeting, in milliseconds. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Inactivity after which an open SMTP connection is given up, in milliseconds. */
const SOCKET_TIMEOUT_MS = 30_000;

/** Plain-text email content; notices carry no HTML and no attachments. */
export interface EmailContent {
  subject: string;
  text: string;
}

/** The SMTP server's reply to a sent message. */
export interface EmailDelivery {
  messageId: string;
  accepted: string[];
  rejected: string[];
  response: string;
}

/** An SMTP failure described for people and logs, with the password scrubbed out. */
export interface SmtpErrorInfo {
  /** Nodemailer's error code, such as EAUTH or ECONNECTION, or the system error code. */
  code: string;
  /** The SMTP reply code, such as 535, when the server rejected a command. */
  responseCode: number | null;
  /** The SMTP command the server rejected, such as `AUTH PLAIN` or `RCPT TO`. */
  command: string | null;
  message: string;
}

/** Raised when a message could not be sent; the message is safe to show an Admin. */
export class SmtpSendError extends Error {
  override name = 'SmtpSendError';

  constructor(readonly info: SmtpErrorInfo) {
    super(info.message);
  }
}

const HINTS: Record<string, string> = {
  EAUTH: 'SMTP authentication failed; check the username and password',
  ENOAUTH: 'the SMTP server requires authentication; set a username and password',
  ECONNECTION: 'could not connect to the SMTP server; check host and port',
  ETIMEDOUT: 'the SMTP server did not answer in time; check host, port and firewall',
  ESOCKET: 'the connection to the SMTP server failed; check host, port and the TLS setting',
  EDNS: 'the SMTP host name could not be resolved',
  ETLS: 'the TLS handshake with the SMTP server failed; check the TLS settings and the server certificate',
  EENVELOPE: 'the SMTP server rejected the sender or a recipient',
  EMESSAGE: 'the SMTP server rejected the message',
  EPROTOCOL: 'the SMTP server sent an invalid reply',
};

/**
 * Replaces every occurrence of the password with `[redacted]`: as typed, and
 * base64-encoded alone (AUTH LOGIN) or with the username (AUTH PLAIN).
 */
function scrub(text: string, login: { username: string; password: string }): string {
  if (login.password === '') {
    return text;
  }
  const forms = [
    login.password,
    Buffer.from(login.password).toString('base64'),
    Buffer.from(`\u0000${login.username}\u0000${login.password}`).toString('base64'),
  ];
  return forms.reduce((result, form) => result.split(form).join('[redacted]'), text);
}

/**
 * Describes a send failure in plain words: what failed, the server's reply
 * when there is one, and what to check. The stored password is scrubbed from
 * every field, because a server may echo what it was sent.
 */
export function describeSmtpError(error: unknown, login: { username: string; password: string }): SmtpErrorInfo {
  const details = (error ?? {}) as { code?: unknown; responseCode?: unknown; command?: unknown; response?: unknown; message?: unknown };
  const code = typeof details.code === 'string' ? details.code : 'EUNKNOWN';
  const responseCode = typeof details.responseCode === 'number' ? details.responseCode : null;
  const command = typeof details.command === 'string' ? scrub(details.command, login) : null;
  const reply = typeof details.response === 'string' ? details.response : typeof details.message === 'string' ? details.message : 'unknown error';
  let hint = HINTS[code] ?? 'sending the email failed';
  if (code === 'ETLS' && command === 'STARTTLS' && responseCode !== null) {
    hint = 'the SMTP server refused STARTTLS, which the settings require; use implicit TLS (secure) or a server that offers STARTTLS';
  }

  return { code, responseCode, command, message: scrub(`${hint} (${code}): ${reply}`, login).slice(0, 1000) };
}

/**
 * Sends one plain-text message with the given settings to `to` (default: the
 * configured recipients) and closes the connection. Certificates of the SMTP
 * server are always verified. Nodemailer's own logging stays off, because its
 * protocol log would contain the AUTH exchange. Raises SmtpSendError.
 */
export async function sendEmail(settings: StoredSmtpSettings, content: EmailContent, to: string[] = settings.recipients): Promise<EmailDelivery> {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: !settings.secure && settings.requireTls,
    auth: settings.username ? { user: settings.username, pass: settings.password } : undefined,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    debug: false,
  });

  try {
    const info = await transport.sendMail({ from: settings.from, to, subject: content.subject, text: content.text });
    return {
      messageId: info.messageId,
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
      response: info.response,
    };
  } catch (error) {
    throw new SmtpSendError(describeSmtpError(error, settings));
  } finally {
    transport.close();
  }
}
