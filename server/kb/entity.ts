import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { KbEntryRepository } from './repository.ts';

const KbEntrySchema = defineEntity({
  name: 'KbEntry',
  tableName: 'kb_entries',
  repository: () => KbEntryRepository,
  // The generated `search` tsvector column is not mapped: PostgreSQL computes it, and only KbEntryRepository.search reads it.
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    title: p.string().length(300),
    /** Markdown. */
    body: p.text(),
    tags: p.array().default([]),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export class KbEntry extends KbEntrySchema.class {}
KbEntrySchema.setClass(KbEntry);
