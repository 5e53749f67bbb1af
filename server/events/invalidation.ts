import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Logger } from 'pino';
import type { SourceName } from '../../shared/data.ts';

/**
 * Changes that other server instances must see at once: a key revoked,
 * rotated or expired; a user suspended, deleted or moved to another tier; a
 * tier's quota edited; a knowledge-base entry changed. They are broadcast with PostgreSQL NOTIFY inside the
 * transaction that makes the change, so every instance hears about it exactly
 * when it commits, and never for a change that rolled back.
 */
export type Invalidation =
  | { kind: 'key'; id: string }
  /** A management key revoked. */
  | { kind: 'management_key'; id: string }
  | { kind: 'user'; id: string }
  | { kind: 'tier'; id: string }
  /** A data source's cached answers are stale (e.g. a knowledge-base edit). */
  | { kind: 'source'; id: SourceName }
  | { kind: 'all' };

export const INVALIDATION_CHANNEL = 'harmonic_invalidate';

/** Queues a NOTIFY in the current transaction of `em` (delivered on commit). */
export async function broadcastInvalidation(em: EntityManager, message: Invalidation): Promise<void> {
  await em.execute('select pg_notify(?, ?)', [INVALIDATION_CHANNEL, JSON.stringify(message)], 'run');
}

/**
 * One dedicated connection per instance that LISTENs for invalidations and
 * reconnects when it drops. After a reconnect it reports `{ kind: 'all' }`,
 * because notifications sent while it was away are lost.
 */
export class InvalidationListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private readonly connectionString: string;
  private readonly logger: Logger;
  private readonly onInvalidate: (message: Invalidation) => void;
  /** Time of the last (re)connection; useful in tests and metrics. */
  connectedAt: Date | undefined;

  constructor(opts: { connectionString: string; logger: Logger; onInvalidate: (message: Invalidation) => void }) {
    this.connectionString = opts.connectionString;
    this.logger = opts.logger.child({ component: 'invalidation' });
    this.onInvalidate = opts.onInvalidate;
  }

  get listening(): boolean {
    return this.connectedAt !== undefined;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect().catch((err: unknown) => {
      this.logger.warn({ err }, 'could not LISTEN for invalidations yet; retrying');
      this.scheduleReconnect();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    this.connectedAt = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'harmonic-listen', connectionTimeoutMillis: 5_000 });
    client.on('notification', (msg) => {
      if (msg.channel !== INVALIDATION_CHANNEL || !msg.payload) return;
      try {
        this.onInvalidate(JSON.parse(msg.payload) as Invalidation);
      } catch (err) {
        this.logger.error({ err, payload: msg.payload }, 'bad invalidation message');
      }
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.connectedAt = undefined;
      if (this.stopped) return;
      this.logger.warn({ err }, 'lost the invalidation connection; reconnecting');
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    await client.query(`listen ${INVALIDATION_CHANNEL}`);
    if (this.stopped) {
      await client.end();
      return;
    }
    const reconnected = this.connectedAt === undefined && this.attempts > 0;
    this.client = client;
    this.connectedAt = new Date();
    this.attempts = 0;
    // Anything could have changed while we were not listening.
    if (reconnected) this.onInvalidate({ kind: 'all' });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.attempts++;
    const delay = Math.min(5_000, 100 * 2 ** Math.min(this.attempts, 6));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.connect().catch((err: unknown) => {
        this.logger.debug({ err }, 'invalidation reconnect failed');
        this.scheduleReconnect();
      });
    }, delay);
    this.retryTimer.unref();
  }
}
