import type { EntityManager } from '@mikro-orm/postgresql';
import type { KbEntryView, KbListPage } from '../../shared/kb.ts';
import { audit, type Actor } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import { broadcastInvalidation } from '../events/invalidation.ts';
import { KbEntry } from './entity.ts';

const view = (e: KbEntry): KbEntryView => ({
  id: e.id,
  title: e.title,
  body: e.body,
  tags: e.tags,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});

const notFound = (id: string) => new AppError('NOT_FOUND', `No knowledge-base entry with id ${id}`);

/**
 * Admin editing of the knowledge base. Every change is audited, and the kb
 * source's cached answers are dropped on every instance (NOTIFY), so the next
 * `/api/v1/data` call sees the edit.
 */
export class KbService {
  async list(em: EntityManager, q: { search?: string | undefined; tag?: string | undefined; page: number; pageSize: number }): Promise<KbListPage> {
    const repo = em.getRepository(KbEntry);
    if (q.search) {
      const hits = await repo.search(q.search, { limit: 100 });
      const page = hits.slice((q.page - 1) * q.pageSize, q.page * q.pageSize);
      return {
        items: page.map((h) => ({ id: h.id, title: h.title, tags: h.tags, updatedAt: h.updatedAt.toISOString(), excerpt: h.headline })),
        total: hits.length,
        page: q.page,
        pageSize: q.pageSize,
      };
    }
    const { entries, total } = await repo.list({ limit: q.pageSize, offset: (q.page - 1) * q.pageSize, ...(q.tag ? { tag: q.tag } : {}) });
    return {
      items: entries.map((e) => ({ id: e.id, title: e.title, tags: e.tags, updatedAt: e.updatedAt.toISOString(), excerpt: e.body.slice(0, 240) })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  async get(em: EntityManager, id: string): Promise<KbEntryView> {
    const entry = await em.findOne(KbEntry, { id });
    if (!entry) throw notFound(id);
    return view(entry);
  }

  async create(em: EntityManager, input: { title: string; body: string; tags: string[] }, actor: Actor): Promise<KbEntryView> {
    return em.transactional(async (tx) => {
      const entry = await tx.getRepository(KbEntry).createEntry(input);
      audit(tx, actor, { action: 'kb.created', target: { type: 'kb_entry', id: entry.id }, details: { title: entry.title, tags: entry.tags } });
      await broadcastInvalidation(tx, { kind: 'source', id: 'kb' });
      await tx.flush();
      return view(entry);
    });
  }

  async update(em: EntityManager, input: { id: string; title?: string | undefined; body?: string | undefined; tags?: string[] | undefined }, actor: Actor): Promise<KbEntryView> {
    return em.transactional(async (tx) => {
      const before = await tx.findOne(KbEntry, { id: input.id });
      if (!before) throw notFound(input.id);
      const was = { title: before.title, tags: [...before.tags], bodyLength: before.body.length };
      const { id, ...patch } = input;
      const entry = await tx.getRepository(KbEntry).updateEntry(id, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
      if (!entry) throw notFound(input.id);
      const changes: Record<string, unknown> = {};
      if (was.title !== entry.title) changes['title'] = { from: was.title, to: entry.title };
      if (was.tags.join(',') !== entry.tags.join(',')) changes['tags'] = { from: was.tags, to: entry.tags };
      if (input.body !== undefined) changes['body'] = { fromLength: was.bodyLength, toLength: entry.body.length };
      audit(tx, actor, { action: 'kb.updated', target: { type: 'kb_entry', id: entry.id }, details: changes });
      await broadcastInvalidation(tx, { kind: 'source', id: 'kb' });
      await tx.flush();
      return view(entry);
    });
  }

  async delete(em: EntityManager, id: string, actor: Actor): Promise<void> {
    await em.transactional(async (tx) => {
      const entry = await tx.findOne(KbEntry, { id });
      if (!entry) throw notFound(id);
      audit(tx, actor, { action: 'kb.deleted', target: { type: 'kb_entry', id }, details: { title: entry.title } });
      await tx.getRepository(KbEntry).deleteEntry(id);
      await broadcastInvalidation(tx, { kind: 'source', id: 'kb' });
      await tx.flush();
    });
  }
}
