/**
 * Who may do what on the portal, over plain HTTP as an attacker or a script would call it: beyond localhost
 * nothing answers without the token; changes need the token, the CSRF token, the server's own Host and origin,
 * and --allow-writes; the onboarding form refuses path and YAML injection with a clear message and writes
 * nothing, inside the project or out of it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Portal, startPortal } from '../../../lib/portal/index.ts';
import { testServices } from '../../support/services.ts';
import { type PortalProject, portalProject } from './project.ts';

function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

/** Every file under `dir`, relative, to compare before and after. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    if (entry.isSymbolicLink()) return [relative];
    return entry.isDirectory() ? tree(path.join(dir, entry.name), relative) : [relative];
  });
}

describe('portal access', () => {
  let project: PortalProject;
  const started: Portal[] = [];
  const start = async (options: { host?: string; allowWrites?: boolean }) => {
    const { brokers, awsEndpoint } = testServices();
    const portal = await startPortal({ rootDir: project.rootDir, port: 0, brokers, awsEndpoint, ...options });
    started.push(portal);
    const port = new URL(portal.url).port;
    return { portal, base: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` };
  };
  const session = async (base: string, token: string) =>
    (await (
      await fetch(`${base}/api/session`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      csrf: string;
    };

  beforeAll(async () => {
    project = await portalProject();
  });
  afterAll(async () => {
    await Promise.all(started.map((portal) => portal.stop()));
    project.remove();
  });

  it('bound beyond localhost: 401 without the token, for pages and data alike', async () => {
    const { portal, base } = await start({ host: '0.0.0.0' });
    for (const route of ['/', '/app.js', '/api/overview', `/api/tenants/${project.fleet}`, '/api/events']) {
      const response = await fetch(`${base}${route}`);
      expect(response.status, route).toBe(401);
      expect(((await response.json()) as { error: string }).error).toMatch(/listens beyond localhost.*token/);
    }
    expect((await fetch(`${base}/api/overview`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    expect((await fetch(`${base}/?token=wrong`, { redirect: 'manual' })).status).toBe(401);
    // The printed URL signs in: a cookie, and the token dropped from the address.
    const login = await fetch(portal.loginUrl.replace(/\/\/[^/]+/, `//${new URL(base).host}`), {
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const withCookie = await fetch(`${base}/api/overview`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(withCookie.status).toBe(200);
    const bearer = await fetch(`${base}/api/overview`, {
      headers: { authorization: `Bearer ${portal.token}` },
    });
    expect(((await bearer.json()) as { tenants: unknown[] }).tenants).toHaveLength(2);
  });

  it('on localhost: reads are open, a rebound host name is refused, changes need token and CSRF', async () => {
    const { portal, base } = await start({ allowWrites: true });
    expect((await fetch(`${base}/api/overview`)).status).toBe(200);
    // A DNS-rebinding page reaches 127.0.0.1 under its own name (fetch() cannot set Host, node:http can).
    expect(await statusWithHost(`${base}/api/overview`, 'attacker.example')).toBe(403);
    expect(await statusWithHost(`${base}/api/overview`, `localhost:${new URL(base).port}`)).toBe(200);
    const body = JSON.stringify({ kind: 'topic', tenant: project.fleet, name: 'refunds' });
    const json = { 'content-type': 'application/json' };
    const noToken = await fetch(`${base}/api/onboard/apply`, { method: 'POST', headers: json, body });
    expect(noToken.status).toBe(401);
    const auth = { ...json, authorization: `Bearer ${portal.token}` };
    const noCsrf = await fetch(`${base}/api/onboard/apply`, { method: 'POST', headers: auth, body });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { error: string }).error).toMatch(/CSRF/);
    const { csrf } = await session(base, portal.token);
    const crossSite = await fetch(`${base}/api/onboard/apply`, {
      method: 'POST',
      headers: { ...auth, 'x-stratus-csrf': csrf, origin: 'http://evil.example' },
      body,
    });
    expect(crossSite.status).toBe(403);
    // The session of an anonymous reader gets no CSRF token.
    expect(await (await fetch(`${base}/api/session`)).json()).not.toHaveProperty('csrf');
    expect(existsSync(path.join(project.rootDir, `schemas/${project.fleet}/refunds.schema.json`))).toBe(
      false,
    );
  });

  it('without --allow-writes, changes are refused even with token and CSRF', async () => {
    const { portal, base } = await start({});
    const { csrf } = await session(base, portal.token);
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${portal.token}`,
      'x-stratus-csrf': csrf,
    };
    const before = tree(project.rootDir);
    for (const [route, body] of [
      ['/api/onboard/apply', { kind: 'topic', tenant: project.fleet, name: 'refunds' }],
      [`/api/tenants/${project.fleet}/dlq/redrive`, { ids: ['0:0'], dryRun: false }],
      [
        `/api/tenants/${project.fleet}/consumers/audit/replay`,
        { from: new Date().toISOString(), confirmed: true },
      ],
    ] as const) {
      const response = await fetch(`${base}${route}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      expect(response.status, route).toBe(403);
      expect(((await response.json()) as { error: string }).error).toMatch(
        /read-only: start it with --allow-writes/,
      );
    }
    expect(tree(project.rootDir)).toEqual(before);
  });

  it('refuses path and YAML injection through the onboarding form, with a message, writing nothing', async () => {
    const { portal, base } = await start({ allowWrites: true });
    const { csrf } = await session(base, portal.token);
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${portal.token}`,
      'x-stratus-csrf': csrf,
    };
    const manifest = path.join(project.rootDir, `tenants/${project.fleet}.yaml`);
    const manifestBefore = readFileSync(manifest, 'utf8');
    const before = tree(project.rootDir);
    const outside = path.join(path.dirname(project.rootDir), 'escaped');
    const attempts: Array<{ form: Record<string, unknown>; field: string; message: RegExp }> = [
      {
        form: { kind: 'tenant', tenant: '../../escaped', owner: 'a@example.com', costCenter: 'cc-1' },
        field: 'tenant',
        message: /tenant name "..\/..\/escaped" must be 2–31 characters/,
      },
      {
        form: { kind: 'topic', tenant: project.fleet, name: '../../../escaped' },
        field: 'name',
        message: /topic name ".*" must be 1–48 characters/,
      },
      {
        form: { kind: 'consumer', tenant: project.fleet, name: 'x', topic: 'positions', output: 'a/../../b' },
        field: 'output',
        message: /output topic name/,
      },
      {
        form: {
          kind: 'tenant',
          tenant: 'acme',
          owner: 'a@example.com]\ncostCenter: stolen\nx: [',
          costCenter: 'cc-1',
        },
        field: 'owner',
        message: /one line of visible text/,
      },
      {
        form: {
          kind: 'tenant',
          tenant: 'acme',
          owner: 'a@example.com, attacker@evil.example',
          costCenter: 'cc-1',
        },
        field: 'owner',
        message: /owners\.0: .*e-mail/,
      },
      {
        form: { kind: 'tenant', tenant: 'acme', owner: 'a@example.com', costCenter: 'cc-1\ntopics: {}' },
        field: 'costCenter',
        message: /one line/,
      },
      {
        form: { kind: 'topic', tenant: project.fleet, name: 'ok', retention: '1d\n  shareWith: ["*"]' },
        field: 'retention',
        message: /one line/,
      },
    ];
    for (const { form, field, message } of attempts) {
      const response = await fetch(`${base}/api/onboard/apply`, {
        method: 'POST',
        headers,
        body: JSON.stringify(form),
      });
      const answer = (await response.json()) as {
        error: string;
        details: Array<{ field?: string; message: string }>;
      };
      expect(response.status, JSON.stringify(form)).toBe(400);
      expect(answer.error).toMatch(/^nothing was written: /);
      expect(answer.details.find((d) => d.field === field)?.message, JSON.stringify(form)).toMatch(message);
      // The live preview says the same next to the field.
      const preview = (await (
        await fetch(`${base}/api/onboard/preview?${new URLSearchParams(form as Record<string, string>)}`)
      ).json()) as { ok: boolean; problems: Array<{ field?: string }> };
      expect(preview.ok).toBe(false);
      expect(preview.problems.some((p) => p.field === field)).toBe(true);
    }
    expect(existsSync(outside)).toBe(false);
    expect(tree(project.rootDir)).toEqual(before);
    expect(readFileSync(manifest, 'utf8')).toBe(manifestBefore);
  });
});
