import { describe, expect, it } from 'vitest';
import { cachedAnswer, pickEncoding, RenderCache } from '../../src/lib/server/http/render-cache';

const page = (text = 'x'.repeat(2000)) => cachedAnswer('v1', 200, new Headers({ 'Content-Type': 'text/html; charset=utf-8' }), Buffer.from(text));

describe('render cache', () => {
  it('picks brotli, then gzip, then identity, honouring q=0', () => {
    const entry = page();
    expect(pickEncoding('gzip, deflate, br', entry)).toBe('br');
    expect(pickEncoding('br;q=0, gzip', entry)).toBe('gzip');
    expect(pickEncoding('gzip;q=0.0', entry)).toBe('identity');
    expect(pickEncoding(null, entry)).toBe('identity');
    // Tiny answers are not worth compressing.
    expect(pickEncoding('br', page('short'))).toBe('identity');
  });

  it('renders once for requests that miss at the same moment', async () => {
    const cache = new RenderCache();
    let renders = 0;
    const render = async () => {
      renders++;
      await new Promise((r) => setTimeout(r, 20));
      return page();
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.fill('/', 'v1', render)));
    expect(renders).toBe(1);
    expect(new Set(answers).size).toBe(1);
    expect(cache.get('/', 'v1')).toBe(answers[0]);
    expect(cache.get('/', 'v2')).toBeUndefined();
  });

  it('stays within its bound, dropping the least recently used first', async () => {
    const cache = new RenderCache(3);
    for (const key of ['/a', '/b', '/c']) await cache.fill(key, 'v1', async () => page());
    cache.get('/a', 'v1');
    await cache.fill('/d', 'v1', async () => page());
    expect(cache.size).toBe(3);
    expect(cache.get('/b', 'v1')).toBeUndefined();
    expect(cache.get('/a', 'v1')).toBeDefined();
  });
});
