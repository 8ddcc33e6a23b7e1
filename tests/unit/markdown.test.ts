import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/lib/markdown';

describe('markdown rendering', () => {
  it('renders ordinary markdown', () => {
    const html = renderMarkdown('Some **bold** text and a [link](https://example.com).\n\n- one\n- two');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<a href="https://example.com" rel="nofollow noopener noreferrer">link</a>');
    expect(html).toContain('<li>one</li>');
  });

  it.each([
    ['<script>alert(1)</script>', '<script'],
    ['<img src=x onerror="alert(1)">', 'onerror'],
    ['[click](javascript:alert(1))', 'javascript:'],
    ['<a href="JaVaScRiPt:alert(1)">x</a>', 'javascript:'],
    ['<svg><script>alert(1)</script></svg>', '<svg'],
    ['<iframe src="https://evil.example"></iframe>', '<iframe'],
    ['<div style="background:url(javascript:alert(1))">x</div>', 'style='],
    ['<a href="&#106;avascript:alert(1)">x</a>', 'avascript'],
  ])('neutralises %s', (source, forbidden) => {
    expect(renderMarkdown(source).toLowerCase()).not.toContain(forbidden.toLowerCase());
  });

  it('turns images on other hosts into links, so no visitor request leaves for a third party', () => {
    const html = renderMarkdown('![graph](https://tracker.example/pixel.png)');
    expect(html).not.toContain('<img');
    expect(html).toContain('href="https://tracker.example/pixel.png"');
  });

  it('keeps headings below the update heading', () => {
    expect(renderMarkdown('# Big\n## Smaller')).toBe('<h4>Big</h4>\n<h4>Smaller</h4>\n');
  });
});

describe('rendered markdown kept for reuse', () => {
  const source = 'See ![graph](https://grafana.example/graph.png) and **this**.';
  it('keeps each image-link function apart: a text rendered through the proxy is never served without it, or through another', () => {
    const plain = renderMarkdown(source);
    const viaA = (src: string) => `/img/a/${encodeURIComponent(src)}`;
    const viaB = (src: string) => `/img/b/${encodeURIComponent(src)}`;
    expect(renderMarkdown(source, { imageUrl: viaA })).toContain('<img src="/img/a/');
    expect(renderMarkdown(source, { imageUrl: viaB })).toContain('<img src="/img/b/');
    expect(renderMarkdown(source)).toBe(plain);
    expect(plain).not.toContain('<img');
    expect(renderMarkdown(source, { imageUrl: viaA })).toContain('<img src="/img/a/');
  });
  it('gives the same HTML the second time, for short and long texts alike', () => {
    for (const text of ['Short *text* <script>alert(1)</script>', `${'Long write-up. '.repeat(2000)}<img src=x onerror=alert(1)>`]) {
      const first = renderMarkdown(text);
      expect(renderMarkdown(text)).toBe(first);
      expect(first).not.toMatch(/<script|onerror/);
    }
  });
});
