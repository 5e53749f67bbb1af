import type { EntityManager } from '@mikro-orm/core';
import { createTransport, type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Orm } from '../db/orm.ts';
import type { Jobs } from '../jobs/service.ts';
import type { MailConfig } from './config.ts';
import { renderEmail, type Email, type EmailContent } from './render.ts';

export type { Email, EmailContent } from './render.ts';

/**
 * Writes one kind of email from its job data. Runs in the job worker on every
 * attempt, inside a transaction of its own that commits before the email is
 * handed over, so it may mint a single-use link token there: the plaintext
 * lives only in the returned email. Returns null to send nothing (e.g. the
 * address was verified meanwhile).
 */
export type Compose<D> = (em: EntityManager, data: D) => Promise<Email | null>;

const KIND = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Job data names what to write about (ids), never what to write: no secret may sit in the job table. */
const SECRET_KEY = /token|password|secret|plaintext/i;
/** …but an id of one (`tokenId`, `reset_token_id`) is just an id. */
const ID_KEY = /(Id|_id|Ids|_ids)$/;

/** The queue an email kind's jobs go to; one per kind, so /metrics counts each kind apart. */
export const mailQueue = (kind: string) => `mail.${kind}`;

/**
 * Email, sent outside the request: `enqueue` writes a job (in the caller's
 * transaction), the job composes the email and `deliver`s it, retried with
 * backoff when SMTP fails; a server that keeps failing ends in a failed job and
 * a warn log, never in an error for the customer, who can ask again.
 *
 * Without SMTP_URL each email is printed once on the console, outside the JSON
 * log, so a newcomer can follow its link; the log says only which kind went to
 * which domain.
 */
export class MailService {
  private readonly kinds = new Set<string>();
  private readonly transport: Transporter | undefined;
  private readonly config: MailConfig;
  private readonly logger: Logger;
  private readonly jobs: Jobs;
  private readonly orm: Orm;
  private readonly write: (text: string) => void;
  private readonly configuredUrl: string | undefined;
  private port: number;

  constructor(deps: {
    config: { mail: MailConfig; publicUrl: string | undefined; port: number };
    logger: Logger;
    jobs: Jobs;
    orm: Orm;
    /** Where the console fallback prints; stdout by default, like the first-start admin password. */
    write?: (text: string) => void;
  }) {
    this.config = deps.config.mail;
    this.configuredUrl = deps.config.publicUrl;
    this.port = deps.config.port;
    this.logger = deps.logger.child({ component: 'mail' });
    this.jobs = deps.jobs;
    this.orm = deps.orm;
    this.write = deps.write ?? ((text) => void process.stdout.write(text));
    this.transport = this.config.smtpUrl
      ? createTransport(
          // Bounded waits, so a hung server fails the attempt (and it is retried) rather than holding a worker.
          { url: this.config.smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 },
          { from: this.config.from },
        )
      : undefined;
  }

  /** Where links point: PUBLIC_URL, else http://localhost:<the port the server listens on>, as the start-up banner says. */
  get publicUrl(): string {
    return this.configuredUrl ?? `http://localhost:${this.port}`;
  }

  /** Called once the HTTP server listens, so default links carry the real port (PORT=0 picks one). */
  listening(port: number): void {
    this.port = port;
  }

  /** An absolute link into this server, e.g. `link('/verify', { token })`. */
  link(path: string, query: Record<string, string> = {}): string {
    const url = new URL(path, `${this.publicUrl}/`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** The text and HTML parts, signed with this operator's product name and URL. */
  render(content: EmailContent): { text: string; html: string } {
    return renderEmail({ productName: this.config.productName, publicUrl: this.publicUrl }, content);
  }

  /** Registers how one kind of email is written; call once per kind, before or after start. */
  define<D extends object>(kind: string, compose: Compose<D>): void {
    if (!KIND.test(kind)) throw new Error(`email kind ${JSON.stringify(kind)} must be lowercase letters, digits and dashes`);
    if (this.kinds.has(kind)) throw new Error(`email kind ${kind} is already defined`);
    this.kinds.add(kind);
    this.jobs.work<D>(
      mailQueue(kind),
      async (data) => {
        const email = await this.orm.em.fork().transactional((tx) => compose(tx, data));
        if (!email) {
          this.logger.info({ kind }, 'email skipped: nothing to send any more');
          return;
        }
        await this.deliver(email, kind);
      },
      {
        retryLimit: this.config.retry.limit,
        retryDelay: this.config.retry.delaySeconds,
        retryBackoff: true,
        retryDelayMax: 3600,
        // An attempt is a compose and one SMTP conversation, bounded by the transport's timeouts above.
        expireInSeconds: 300,
      },
    );
  }

  /**
   * Queues one email of `kind`, inside `em`'s transaction when it is in one: the
   * email exists only if the caller's change commits. `data` holds ids only.
   * Returns the job's id (see server/testing/jobs.ts).
   */
  async enqueue<D extends object>(em: EntityManager, kind: string, data: D): Promise<string | null> {
    if (!this.kinds.has(kind)) throw new Error(`email kind ${kind} is not defined (services.mail.define)`);
    const secret = secretKey(data);
    if (secret) throw new Error(`email job data must hold ids, not secrets (found "${secret}"); mint tokens in compose`);
    return this.jobs.send(em, mailQueue(kind), data);
  }

  /** Hands one email to SMTP, or prints it when SMTP_URL is unset. Throws (sanitised) when SMTP refuses. */
  async deliver(email: Email, kind = 'direct'): Promise<void> {
    const domain = email.to.slice(email.to.lastIndexOf('@') + 1).replace(/>.*$/, '').toLowerCase();
    if (!this.transport) {
      this.write(consoleEmail(email));
      this.logger.info({ kind, domain, transport: 'console' }, 'email printed on the console (SMTP_URL is unset)');
      return;
    }
    try {
      await this.transport.sendMail({ from: this.config.from, to: email.to, subject: email.subject, text: email.text, html: email.html });
    } catch (err) {
      // The server's reply can quote the recipient or the message, and the error is logged and stored
      // with the job; keep only what says why, and no `cause`.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(`SMTP delivery of a ${kind} email to ${domain} failed: ${smtpFailure(err)}`);
    }
    this.logger.info({ kind, domain, transport: 'smtp' }, 'email sent');
  }

  close(): void {
    this.transport?.close();
  }
}

function secretKey(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.map(secretKey).find(Boolean);
  if (!value || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEY.test(k) && !ID_KEY.test(k)) return k;
    const inner = secretKey(v);
    if (inner) return inner;
  }
  return undefined;
}

function smtpFailure(err: unknown): string {
  const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; command?: unknown };
  const parts = [
    typeof e.code === 'string' ? e.code : 'error',
    typeof e.responseCode === 'number' ? `reply ${e.responseCode}` : undefined,
    typeof e.command === 'string' ? `after ${e.command.split(' ')[0]}` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}

/** The console fallback: readable headers and the text part, its link intact on its own line. */
function consoleEmail(email: Email): string {
  const rule = '─'.repeat(72);
  return [
    '',
    `┌${rule}`,
    '│ Email (not sent: SMTP_URL is unset, so it is printed here instead)',
    `│ To: ${email.to}`,
    `│ Subject: ${email.subject}`,
    '│',
    ...email.text.split('\n').map((line) => (line ? `│ ${line}` : '│')),
    `└${rule}`,
    '',
    '',
  ].join('\n');
}
