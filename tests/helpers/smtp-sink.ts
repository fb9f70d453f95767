import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message the test SMTP server accepted. */
export interface CapturedMessage {
  from: string;
  to: string[];
  /** The raw message as received: headers and body. */
  raw: string;
  /** The user that authenticated, or null without authentication. */
  user: string | null;
}

export interface SmtpSink {
  port: number;
  messages: CapturedMessage[];
  close(): Promise<void>;
}

/**
 * Starts a real SMTP server (smtp-server) on 127.0.0.1 with a random port that
 * keeps every accepted message in memory. Without `credentials` any client is
 * accepted without AUTH; with them, AUTH PLAIN or LOGIN over the plain
 * connection is required and other credentials are rejected with 535.
 * STARTTLS is not offered, so a client that requires it must fail.
 * `rejectReply` replaces the 535 text, to imitate a server that echoes input.
 */
export async function startSmtpSink(
  options: { credentials?: { username: string; password: string }; rejectReply?: (password: string) => string } = {},
): Promise<SmtpSink> {
  const messages: CapturedMessage[] = [];
  const { credentials } = options;

  const server = new SMTPServer({
    secure: false,
    hideSTARTTLS: true,
    disabledCommands: credentials ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !credentials,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.username && auth.password === credentials.password) {
        callback(null, { user: auth.username });
        return;
      }
      const reply = options.rejectReply ? options.rejectReply(auth.password ?? '') : 'Authentication credentials invalid';
      callback(Object.assign(new Error(reply), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: typeof session.user === 'string' ? session.user : null,
        });
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
