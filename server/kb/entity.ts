import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';

const KbEntrySchema = defineEntity({
  name: 'KbEntry',
  tableName: 'kb_entries',
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
