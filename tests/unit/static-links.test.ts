// The static export's file names and link rewriting (the whole export runs
// against the built server in tests/e2e/static-export.spec.ts).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { exportDirProblem } from '../../src/lib/server/export/static-export';
import { exportedFile, isLiveOnly, linkedPaths, rewriteHtml, type LinkTargets } from '../../src/lib/server/export/static-links';

const page = new URL('http://127.0.0.1:4000/incidents/outage');
const exported: Record<string, string> = {
  '/': 'index.html',
  '/history': 'history/index.html',
  '/incidents/outage': 'incidents/outage/index.html',
  '/feed.xml': 'feed.xml',
  '/_astro/site.css': '_astro/site.css',
};
const targets: LinkTargets = { url: page, file: 'incidents/outage/index.html', fileFor: (p) => exported[p] ?? null, siteUrl: 'https://status.example.com' };

describe('exportedFile', () => {
  it('writes pages as folders with index.html and other files under their own name', () => {
    expect(exportedFile('/', true)).toBe('index.html');
    expect(exportedFile('/history/2026-09', true)).toBe('history/2026-09/index.html');
    expect(exportedFile('/history/', true)).toBe('history/index.html');
    expect(exportedFile('/api/v2/summary.json', false)).toBe('api/v2/summary.json');
    expect(exportedFile('/components/webmail/badge.svg', false)).toBe('components/webmail/badge.svg');
  });

  it('refuses names that would leave the folder', () => {
    expect(exportedFile('/a/%2e%2e/b', true)).toBeNull();
    expect(exportedFile('/a%2Fb', false)).toBeNull();
    expect(exportedFile('/', false)).toBeNull();
  });
});

describe('isLiveOnly', () => {
  it('keeps the console, its API, subscriptions and health out of the export', () => {
    for (const path of ['/admin', '/ADMIN/users', '/%61dmin', '/api/admin/incidents', '/subscribe', '/subscribe/webhook', '/unsubscribe', '/healthz']) {
      expect(isLiveOnly(path), path).toBe(true);
    }
    for (const path of ['/', '/history/2026-09', '/api/v2/summary.json', '/subscribers-guide', '/components/dns']) {
      expect(isLiveOnly(path), path).toBe(false);
    }
  });
});

describe('linkedPaths', () => {
  it('finds same-origin href and src, never form actions, other sites or live-only paths', () => {
    const html = `<link rel="stylesheet" href="/_astro/site.css"><a href="/history/">h</a><a href="../">up</a><img src="/favicon.svg" alt="">
      <a href="https://mail.example.com/x">m</a><a href="//cdn.example.com/y">c</a><a href="#main">skip</a><a href="/admin">a</a>
      <form method="post" action="/subscribe"></form><a href="/history?x=1">q</a><p>href="/not-a-link"</p>`;
    expect(linkedPaths(html, page).sort()).toEqual(['/', '/_astro/site.css', '/favicon.svg', '/history']);
  });
});

describe('rewriteHtml', () => {
  it('makes links relative to the exported file, with index.html and fragments kept', () => {
    const html = '<a class="x" href="/">home</a> <a href="/history#2026-09">h</a> <a href="/incidents/outage">self</a> <link rel="alternate" type="application/rss+xml" href="/feed.xml"><link href="/_astro/site.css" rel="stylesheet">';
    expect(rewriteHtml(html, targets)).toBe(
      '<a class="x" href="../../index.html">home</a> <a href="../../history/index.html#2026-09">h</a> <a href="index.html">self</a> <link rel="alternate" type="application/rss+xml" href="../../feed.xml"><link href="../../_astro/site.css" rel="stylesheet">',
    );
  });

  it('points forms, and links the export lacks, at the live site', () => {
    const html = '<form method="post" action="/subscribe"><input name="a"></form><a href="/subscribe/webhook">w</a><a href="/history?page=2&amp;x=&quot;">q</a>';
    expect(rewriteHtml(html, targets)).toBe(
      '<form method="post" action="https://status.example.com/subscribe"><input name="a"></form><a href="https://status.example.com/subscribe/webhook">w</a><a href="https://status.example.com/history?page=2&amp;x=%22">q</a>',
    );
  });

  it('leaves other sites, fragments and text alone', () => {
    const html = '<a href="#main">skip</a><a href="https://mail.example.com/">m</a><a href="mailto:ops@example.com">@</a><code>&lt;a href="/x"&gt;</code><p title="a > b" data-x="/y">t</p>';
    expect(rewriteHtml(html, targets)).toBe(html);
  });
});

describe('export DIR', () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'herald-export-'));

  it('accepts a new, empty or earlier export folder', () => {
    const parent = folder();
    expect(exportDirProblem(join(parent, 'new'))).toBeNull();
    mkdirSync(join(parent, 'empty'));
    expect(exportDirProblem(join(parent, 'empty'))).toBeNull();
    mkdirSync(join(parent, 'earlier/api/v2'), { recursive: true });
    writeFileSync(join(parent, 'earlier/index.html'), '');
    writeFileSync(join(parent, 'earlier/api/v2/summary.json'), '{}');
    expect(exportDirProblem(join(parent, 'earlier'))).toBeNull();
  });

  it('never replaces a folder that holds something else, the working folder or the project', () => {
    const parent = folder();
    writeFileSync(join(parent, 'notes.txt'), '');
    expect(exportDirProblem(parent)).toMatch(/is not empty and is not an earlier export/);
    expect(exportDirProblem(join(parent, 'notes.txt'))).toMatch(/exists and is not a folder/);
    expect(exportDirProblem(join(parent, 'missing/out'))).toMatch(/does not exist/);
    expect(exportDirProblem('/')).toMatch(/root folder/);
    expect(exportDirProblem('.')).toMatch(/holds/);
  });

  it('is a usage error without DIR or with a bad one', async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (line: string) => err.push(line), env: { HERALD_DB: join(folder(), 'herald.db') } };
    expect(await main(['export'], io)).toBe(2);
    expect(err[0]).toBe('herald: expected DIR');
    expect(await main(['export', '/'], io)).toBe(2);
    expect(await main(['export', 'a', 'b'], io)).toBe(2);
  });
});
