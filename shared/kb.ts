import { z } from 'zod';
import { text } from './text.ts';

/** Knowledge-base entries, as admins edit them. */
const title = text().trim().min(1, 'must not be empty').max(300, 'must be at most 300 characters');
const body = text().min(1, 'must not be empty').max(100_000, 'must be at most 100,000 characters');
const tags = z
  .array(text().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters'), { error: 'must be a list of tags' })
  .max(20, 'must be at most 20 tags');

export const kbCreateSchema = z.strictObject({ title, body, tags: tags.default([]) });
export type KbCreateInput = z.input<typeof kbCreateSchema>;

export const kbUpdateSchema = z.strictObject({
  id: z.uuid('must be an entry id'),
  title: title.optional(),
  body: body.optional(),
  tags: tags.optional(),
});
export type KbUpdateInput = z.input<typeof kbUpdateSchema>;

export const kbListSchema = z.strictObject({
  search: text().trim().max(200, 'must be at most 200 characters').optional(),
  tag: text().trim().max(50).optional(),
  page: z.int('must be a whole number').min(1, 'must be at least 1').max(100_000).default(1),
  pageSize: z.int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(20),
});
export type KbListInput = z.input<typeof kbListSchema>;

export const kbEntryViewSchema = z.object({
  id: z.uuid(),
  title: text(),
  body: text(),
  tags: z.array(text()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type KbEntryView = z.infer<typeof kbEntryViewSchema>;

export const kbListItemSchema = z.object({
  id: z.uuid(),
  title: text(),
  tags: z.array(text()),
  updatedAt: z.iso.datetime(),
  /** The matching passage (search) or the start of the body (Markdown). */
  excerpt: text(),
});
export type KbListItem = z.infer<typeof kbListItemSchema>;

export const kbListPageSchema = z.object({ items: z.array(kbListItemSchema), total: z.int(), page: z.int(), pageSize: z.int() });
export type KbListPage = z.infer<typeof kbListPageSchema>;
