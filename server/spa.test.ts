import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAdminPath, oldAdminRedirect, registerSpa } from './spa.ts';

let dir = '';
let app: FastifyInstance;

beforeAll(async () => {
  // A stand-in for dist/client: each app's HTML says which app it is.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harmonic-spa-'));
  fs.mkdirSync(path.join(dir, 'admin'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>portal</title>');
  fs.writeFileSync(path.join(dir, 'admin/index.html'), '<!doctype html><title>admin</title>');
  fs.writeFileSync(path.join(dir, 'assets/app-1234.js'), 'export {};');
  app = Fastify();
  await registerSpa(app, dir);
  await app.ready();
});

afterAll(async () => {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const page = (url: string, accept = 'text/html,application/xhtml+xml') => app.inject({ method: 'GET', url, headers: { accept } });

describe('serving the two apps', () => {
  it('gives the portal every page outside /admin, including its own client-side routes', async () => {
    for (const url of ['/', '/app', '/app/keys', '/login?next=%2Fapp%2Fkeys', '/verify-email?token=abc', '/administrator']) {
      const res = await page(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<title>portal</title>');
    }
  });

  it('gives the admin app /admin and everything under it', async () => {
    for (const url of ['/admin', '/admin/', '/admin/users/42?tab=keys', '/admin/sign-in?next=%2Fusers']) {
      const res = await page(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<title>admin</title>');
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('redirects the admin app’s old paths to their /admin equivalents, keeping the query', async () => {
    const cases = {
      '/users': '/admin/users',
      '/users/42?tab=keys': '/admin/users/42?tab=keys',
      '/keys?user=42': '/admin/keys?user=42',
      '/tiers': '/admin/tiers',
      '/kb/new': '/admin/kb/new',
      '/audit?actor=a%40b.c': '/admin/audit?actor=a%40b.c',
      '/playground?mode=key': '/admin/playground?mode=key',
      '/admins': '/admin/admins',
      '/management-keys': '/admin/management-keys',
      '/sign-in?next=%2Fusers': '/admin/sign-in?next=%2Fusers',
    };
    for (const [from, to] of Object.entries(cases)) {
      const res = await page(from);
      expect(res.statusCode, from).toBe(301);
      expect(res.headers.location, from).toBe(to);
    }
  });

  it('redirects only browser navigation: API clients and other methods get a JSON 404', async () => {
    for (const res of [await page('/users', 'application/json'), await app.inject({ method: 'POST', url: '/users', headers: { accept: 'text/html' } }), await page('/api/v1/users')]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('serves hashed assets to be cached for good', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/app-1234.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});

describe('which app owns a path', () => {
  it('knows the old admin screens, and nothing that merely starts like one', () => {
    expect(oldAdminRedirect('/kb')).toBe('/admin/kb');
    expect(oldAdminRedirect('/users/')).toBe('/admin/users/');
    for (const url of ['/', '/keysmith', '/app/keys', '//users', '/admin/users', '/login', '/sign-up']) expect(oldAdminRedirect(url), url).toBeUndefined();
  });

  it('tells the admin app’s paths from the portal’s', () => {
    for (const url of ['/admin', '/admin/', '/admin/kb', '/admin?x=1']) expect(isAdminPath(url), url).toBe(true);
    for (const url of ['/', '/administrator', '/app/admin', '/adminx']) expect(isAdminPath(url), url).toBe(false);
  });
});
