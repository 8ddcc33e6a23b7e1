// The image proxy's pure parts: signed paths, the markdown rewriting, which
// bytes count as which image, and that mail shows none (feeds: feed.test.ts).
import { describe, expect, it } from 'vitest';
import { updateMail } from '../../src/lib/mail/messages';
import { renderMarkdown } from '../../src/lib/markdown';
import { imagePath, proxiableUrl, verifiedImageUrl } from '../../src/lib/server/images/links';
import { declaredImageType, sniffImageType } from '../../src/lib/server/images/types';
import { incident } from '../helpers/factories';
import { png } from '../helpers/image-server';

const secret = 'a-test-secret';
const src = 'https://images.example/graphs/latency.png?day=2026-11-20';
const rest = (path: string) => path.slice('/img/'.length);

describe('signed image paths', () => {
  it('name the URL in the path, with no query string, and lead back to it', () => {
    const path = imagePath(secret, src)!;
    expect(path).toMatch(/^\/img\/[A-Za-z0-9_-]{43}\/[A-Za-z0-9_/-]+$/);
    expect(path).not.toContain('?');
    expect(verifiedImageUrl(secret, rest(path))).toBe(src);
  });

  it('are refused with another key, a changed signature or a changed URL', () => {
    const path = rest(imagePath(secret, src)!);
    const [signature, encoded] = [path.slice(0, path.indexOf('/')), path.slice(path.indexOf('/') + 1)];
    expect(verifiedImageUrl('another-secret', path)).toBeNull();
    expect(verifiedImageUrl(secret, `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}/${encoded}`)).toBeNull();
    const other = Buffer.from('https://images.example/other.png').toString('base64url');
    expect(verifiedImageUrl(secret, `${signature}/${other}`)).toBeNull();
    expect(verifiedImageUrl(secret, signature)).toBeNull();
    expect(verifiedImageUrl(secret, `${signature}/${encoded}=`)).toBeNull();
    expect(verifiedImageUrl(secret, '')).toBeNull();
  });

  it('split a long URL into folders short enough to be file names in the static export', () => {
    const long = `https://images.example/${'x'.repeat(1500)}.png`;
    const path = imagePath(secret, long)!;
    for (const segment of path.split('/')) expect(segment.length).toBeLessThanOrEqual(200);
    expect(verifiedImageUrl(secret, rest(path))).toBe(long);
    // The same URL cut differently is not a path Herald writes.
    const parts = rest(path).split('/');
    expect(verifiedImageUrl(secret, [parts[0], parts.slice(1).join('')].join('/'))).toBeNull();
  });

  it.each([
    ['ftp://images.example/x.png', null],
    ['javascript:alert(1)', null],
    ['//images.example/x.png', null],
    ['https://user:password@images.example/x.png', null],
    ['not a url', null],
    [`https://images.example/${'x'.repeat(2000)}`, null],
    ['https://images.example/x.png#top', 'https://images.example/x.png'],
    ['HTTPS://Images.Example/x.png', 'https://images.example/x.png'],
  ])('proxy %s as %s', (url, expected) => {
    expect(proxiableUrl(url)).toBe(expected);
    expect(imagePath(secret, url) === null).toBe(expected === null);
  });
});

describe('markdown images', () => {
  const imageUrl = (url: string) => imagePath(secret, url);

  it('shows images on other hosts through the same-origin proxy', () => {
    const html = renderMarkdown(`![latency graph](${src} "Latency")`, { imageUrl });
    const [, proxied] = /<img src="([^"]+)"/.exec(html)!;
    expect(proxied).toBe(imagePath(secret, src));
    expect(html).toContain('alt="latency graph"');
    expect(html).toContain('title="Latency"');
    expect(html).not.toContain('images.example');
  });

  it('rewrites raw HTML images too, and still strips what is not allowed', () => {
    const html = renderMarkdown('<img src="https://images.example/a.png" onerror="alert(1)" width="9999" alt="a">', { imageUrl });
    expect(html).toMatch(/^<img src="\/img\/[^"]+" alt="a" \/>$/);
  });

  it('keeps same-origin images as they are', () => {
    expect(renderMarkdown('![logo](/favicon.svg)', { imageUrl })).toContain('<img src="/favicon.svg" alt="logo" />');
  });

  it('makes a link of an image the rewriter refuses, and of every external image without a rewriter', () => {
    for (const html of [renderMarkdown('![x](https://user:pw@images.example/x.png)', { imageUrl }), renderMarkdown(`![graph](${src})`)]) {
      expect(html).not.toContain('<img');
      expect(html).toContain('<a href="https://');
    }
    expect(renderMarkdown(`![graph](${src})`)).toContain(`<a href="${src.replace('&', '&amp;')}" rel="nofollow noopener noreferrer">graph</a>`);
  });

  it('never hands the rewriter anything but an absolute or protocol-relative URL', () => {
    const seen: string[] = [];
    renderMarkdown('![a](/local.png) ![b](javascript:alert(1)) ![c](https://images.example/c.png) <img src="//images.example/d.png">', {
      imageUrl: (url) => (seen.push(url), null),
    });
    expect(seen).toEqual(['https://images.example/c.png', '//images.example/d.png']);
  });
});

describe('mail', () => {
  it('shows no image at all, neither remote nor proxied', () => {
    const graph = incident({
      id: 'graph',
      updates: [{ id: 'graph#1', status: 'investigating', body: `Latency:\n\n![graph](${src})`, at: new Date('2026-11-20T10:00:00Z'), source: 'live', editedAt: null, notified: true }],
    });
    const mail = updateMail(
      { pageName: 'Example Mail', siteUrl: 'https://status.example.com', timeZone: 'UTC', componentNames: new Map(), locale: 'en', defaultLocale: 'en' },
      graph,
      { ...graph.updates[0], status: 'investigating' },
      1,
      { id: 1, address: 'someone@example.net' },
      { manage: 'https://status.example.com/m', unsubscribe: 'https://status.example.com/u' },
    );
    expect(mail.html).not.toMatch(/<img/i);
    expect(mail.html).not.toContain('/img/');
  });
});

describe('image types', () => {
  const riff = (kind: string) => Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from(kind), Buffer.alloc(8)]);
  const ftyp = (major: string, compatible: string[]) => {
    const box = Buffer.concat([Buffer.alloc(4), Buffer.from('ftyp'), Buffer.from(major), Buffer.alloc(4), ...compatible.map((b) => Buffer.from(b))]);
    box.writeUInt32BE(box.length);
    return Buffer.concat([box, Buffer.alloc(16)]);
  };

  it.each([
    [png, 'image/png'],
    [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg'],
    [Buffer.from('GIF89a\x01\x00'), 'image/gif'],
    [riff('WEBP'), 'image/webp'],
    [ftyp('avif', ['mif1', 'miaf']), 'image/avif'],
    [ftyp('mif1', ['avif']), 'image/avif'],
    [ftyp('heic', ['mif1']), null],
    [riff('WAVE'), null],
    [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), null],
    [Buffer.from('<!doctype html>'), null],
    [Buffer.alloc(0), null],
  ])('bytes %# are %s', (bytes, type) => {
    expect(sniffImageType(bytes as Buffer)).toBe(type);
  });

  it('accepts only the five image types in a Content-Type header', () => {
    expect(declaredImageType('image/PNG; charset=binary')).toBe('image/png');
    for (const refused of ['image/svg+xml', 'text/html', 'application/octet-stream', undefined, '']) expect(declaredImageType(refused)).toBeNull();
  });
});
