import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { baseUrl, E2E_ADMIN } from './env.ts';

export { expect };

export interface Guard {
  /** A failure this test causes on purpose (a wrong password, an expired session): matched against the URL or console text. */
  allow(pattern: RegExp): void;
}

/**
 * Every browser test gets the server's URL and a guard that fails the test on
 * any console error, uncaught page error, failed request or HTTP error response
 * that the test did not declare as deliberate.
 */
export const test = base.extend<{ guard: Guard }>({
  // Playwright reads a fixture's dependencies from this destructuring, so it must be an (empty) object pattern.
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    await use(baseUrl());
  },
  guard: [
    async ({ page }, use) => {
      const allowed: RegExp[] = [];
      const problems: string[] = [];
      const isAllowed = (...texts: string[]) => allowed.some((re) => texts.some((t) => re.test(t)));
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const where = msg.location().url;
        if (!isAllowed(msg.text(), where)) problems.push(`console error: ${msg.text()} (${where})`);
      });
      page.on('pageerror', (err) => problems.push(`uncaught error: ${err.message}`));
      page.on('requestfailed', (req) => {
        const reason = req.failure()?.errorText ?? '';
        // A request the page cancelled (navigating away, a superseded query) is not a failure.
        if (reason.includes('ERR_ABORTED')) return;
        if (!isAllowed(req.url())) problems.push(`request failed: ${req.method()} ${req.url()} ${reason}`);
      });
      page.on('response', (res) => {
        if (res.status() >= 400 && !isAllowed(res.url())) problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
      });
      await use({ allow: (re) => void allowed.push(re) });
      expect(problems, 'no console errors or failed requests other than deliberate ones').toEqual([]);
    },
    { auto: true },
  ],
});

export async function signIn(page: Page, email: string = E2E_ADMIN.email, password: string = E2E_ADMIN.password): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits until no loading placeholder is left on the page. */
export async function settled(page: Page): Promise<void> {
  await expect(page.locator('[role=status][aria-label^="Loading"]')).toHaveCount(0);
  await expect(page.locator('[aria-busy=true]')).toHaveCount(0);
}

const SHOTS = path.resolve(import.meta.dirname, '../../.test-artifacts/screenshots');

/** A full-page screenshot kept as a test artifact: .test-artifacts/screenshots/<name>-<width>.png */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true, animations: 'disabled' });
}

/** Calls POST /api/v1/data from the test itself, as any customer would. */
export async function callApi(key: string | null, body: unknown = { query: 'rate limiting', sources: ['kb'] }): Promise<Response> {
  return fetch(`${baseUrl()}/api/v1/data`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify(body),
  });
}

/** axe-core finds no serious or critical WCAG 2.1 A/AA violation on the page as it is now. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`),
    `accessibility of ${name}`,
  ).toEqual([]);
}

/** The page fits the viewport's width: nothing makes the whole page scroll sideways. */
export async function expectFitsWidth(page: Page, name: string): Promise<void> {
  const { overflow, culprits } = await page.evaluate(() => {
    // The outermost elements that reach past the right edge outside any scrolling box, so a failure says what to fix.
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true;
      return false;
    };
    const wide = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && !clipped(el));
    const outermost = wide.filter((el) => !wide.some((other) => other !== el && other.contains(el)));
    const describe = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].slice(0, 4).join('.')} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    return { overflow: document.documentElement.scrollWidth - window.innerWidth, culprits: outermost.slice(0, 5).map(describe) };
  });
  expect(overflow, `${name} must not scroll sideways at ${page.viewportSize()?.width ?? '?'} px; past the edge: ${culprits.join('; ')}`).toBeLessThanOrEqual(0);
}
