import { randomBytes } from 'node:crypto';
import { callApi, expect, settled, signIn, test } from './fixtures.ts';

test('the knowledge base: write with a preview, find, edit, answer from it, delete', async ({ page }) => {
  const word = `zebrafinch${randomBytes(3).toString('hex')}`;
  await page.goto('/admin/kb');
  await signIn(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Knowledge base' })).toBeVisible();
  await settled(page);
  await expect(page.getByRole('list', { name: 'Articles' }).getByRole('listitem').first()).toBeVisible();

  // Write, with the shared schema's messages before any round trip.
  await page.getByRole('link', { name: 'New article' }).click();
  await page.getByRole('button', { name: 'Create article' }).click();
  await expect(page.getByText('Must not be empty.').first()).toBeVisible();
  await page.getByLabel('Title').fill(`Caring for the ${word}`);
  await page.getByLabel('Tags').fill('birds, care ,birds');
  await page.getByLabel('Body (Markdown)').fill(`## Feeding\n\nThe **${word}** eats seeds.\n\n<script>alert(1)</script>\n\n| Food | Daily |\n|---|---|\n| Millet | 5 g |`);
  await page.getByRole('tab', { name: 'Preview' }).click();
  const preview = page.getByLabel('Preview');
  await expect(preview.getByRole('heading', { name: 'Feeding' })).toBeVisible();
  await expect(preview.locator('strong')).toHaveText(word);
  await expect(preview.getByRole('table')).toContainText('Millet');
  // Raw HTML in the Markdown is never rendered.
  await expect(preview.locator('script')).toHaveCount(0);
  await page.getByRole('button', { name: 'Create article' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Caring for the ${word}` })).toBeVisible();
  await expect(page.getByLabel('Tags')).toHaveValue('birds, care');
  const entryUrl = page.url();

  // Find it, with the matching words highlighted.
  await page.goto(`/admin/kb?q=${word}`);
  const hit = page.getByRole('list', { name: 'Articles' }).getByRole('listitem');
  await expect(hit).toHaveCount(1);
  await expect(hit.locator('mark').first()).toContainText(word);

  // The kb source answers from it at once.
  const answer = await callApi(null, { query: word, sources: ['kb'] });
  expect(answer.status).toBe(200);
  expect(JSON.stringify(await answer.json())).toContain(`Caring for the ${word}`);

  // …and the playground's result opens the article here.
  await page.goto(`/admin/playground?query=${word}&sources=%5B%22kb%22%5D`);
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.locator('[data-source="kb"]').getByRole('link', { name: `Caring for the ${word}` }).click();
  await expect(page).toHaveURL(entryUrl);

  // Edit.
  await page.goto(`/admin/kb?q=${word}`);
  await hit.getByRole('link').click();
  await expect(page).toHaveURL(entryUrl);
  await page.getByLabel('Title').fill(`Feeding the ${word}`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Feeding the ${word}` })).toBeVisible();

  // Delete, after confirming.
  await page.getByRole('button', { name: 'Delete article' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete article' }).click();
  await expect(page).toHaveURL(/\/admin\/kb$/);
  await page.goto(`/admin/kb?q=${word}`);
  await expect(page.getByText('No articles match')).toBeVisible();
});
