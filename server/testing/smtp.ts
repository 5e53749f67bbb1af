import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

export interface ReceivedMessage {
  /** The envelope recipients (RCPT TO), lower-cased. */
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** The HTML part; empty when the message had none. */
  html: string;
  /** The user name the client authenticated with, if it did. */
  user: string | undefined;
  parsed: ParsedMail;
}

export interface TestSmtp {
  /** smtp://user:password@127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  /** Every message accepted so far, in arrival order. */
  messages: ReceivedMessage[];
  /** How many deliveries were refused on purpose (see `failNext`). */
  refused: number;
  /** Resolves with the first message, already received or still to come, that matches. */
  waitForMessage(predicate: (m: ReceivedMessage) => boolean, opts?: { timeoutMs?: number }): Promise<ReceivedMessage>;
  /** The link in the message's text part whose path starts with `pathPrefix`. */
  linkIn(message: ReceivedMessage, pathPrefix: string): URL;
  /** Refuses the next `count` messages with `code` (4xx: try again later; 5xx: permanent). */
  failNext(count: number, code?: number): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server on a free loopback port, for tests: accepts any
 * credentials, parses what it receives with mailparser, and can be told to
 * refuse messages so retries can be tested. Plain SMTP without STARTTLS, as a
 * local relay would be.
 */
export async function startTestSmtp(): Promise<TestSmtp> {
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  let failures: { count: number; code: number } = { count: 0, code: 451 };
  let refused = 0;

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream, session, callback) {
      // The whole message is read before answering, as a real server does.
      simpleParser(stream).then(
        (parsed) => {
          if (failures.count > 0) {
            failures.count -= 1;
            refused += 1;
            const err: SMTPServerError = new Error(failures.code >= 500 ? 'Refused for good by the test server' : 'Try again later (test server)');
            err.responseCode = failures.code;
            callback(err);
            return;
          }
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: parsed.html || '',
            user: typeof session.user === 'string' ? session.user : undefined,
            parsed,
          });
          callback();
          for (const w of waiters) w();
        },
        (err: unknown) => callback(err as Error),
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://harmonic:test-password@127.0.0.1:${port}`,
    messages,
    get refused() {
      return refused;
    },
    failNext(count, code = 451) {
      failures = { count, code };
    },
    waitForMessage(predicate, { timeoutMs = 60_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching email within ${timeoutMs} ms; received: ${JSON.stringify(messages.map((m) => ({ to: m.to, subject: m.subject })))}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    linkIn(message, pathPrefix) {
      for (const match of message.text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
        const url = new URL(match[0]);
        if (url.pathname.startsWith(pathPrefix)) return url;
      }
      throw new Error(`no link to ${pathPrefix} in the email "${message.subject}":\n${message.text}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
