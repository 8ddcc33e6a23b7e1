import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { buildFeed, feedItemLimit } from '../../src/lib/feed';
import type { Incident } from '../../src/lib/model';
import { incident } from '../helpers/factories';

const at = (iso: string) => new Date(iso);
const update = (id: string, status: Incident['status'], body: string, when: string, editedAt: Date | null = null) => ({
  id,
  status,
  body,
  at: at(when),
  source: 'live' as const,
  editedAt,
  notified: true,
  automatic: false,
  componentChanges: [],
  nextUpdateBy: null,
  promiseKept: false,
});

function sample(): Incident[] {
  return [
    incident({
      id: 'web-down',
      title: 'Web down',
      components: [{ id: 'webmail', status: 'major_outage' }],
      updates: [
        update('web-down#2', 'identified', 'Found it. <script>alert(1)</script>', '2026-11-20T11:00:00Z'),
        update('web-down#1', 'investigating', 'Looking **now**.', '2026-11-20T10:00:00Z'),
      ],
    }),
    incident({ id: 'dns-slow', title: 'DNS slow', components: [{ id: 'dns', status: 'degraded_performance' }], updates: [update('dns-slow#3', 'resolved', 'Fine.', '2026-11-21T09:00:00Z')] }),
  ];
}

const site = { pageName: 'Example Mail', description: null, siteUrl: 'https://status.example.com', timeZone: 'Europe/Berlin', componentNames: new Map<string, string>(), locale: 'en' as const, defaultLocale: 'en' as const };

describe('buildFeed', () => {
  it('has one item per update, newest first, parsed by an independent parser', async () => {
    const feed = await new Parser().parseString(buildFeed({ ...site, incidents: sample() }));
    expect(feed.title).toBe('Example Mail status');
    expect(feed.items.map((i) => i.title)).toEqual(['DNS slow — Resolved', 'Web down — Identified', 'Web down — Investigating']);
    expect(feed.items.map((i) => i.guid)).toEqual([
      'https://status.example.com/incidents/dns-slow#3',
      'https://status.example.com/incidents/web-down#2',
      'https://status.example.com/incidents/web-down#1',
    ]);
    expect(feed.items[1].link).toBe('https://status.example.com/incidents/web-down#update-2');
    expect(feed.items[2].content).toContain('<strong>now</strong>');
  });

  it('names components as the page does, not by their ids', async () => {
    const names = new Map([['webmail', 'Web interface'], ['dns', 'DNS resolvers']]);
    const feed = await new Parser().parseString(buildFeed({ ...site, componentNames: names, incidents: sample() }));
    expect(feed.items[1].content).toContain('affects Web interface (major outage)');
    expect(feed.items[0].content).toContain('affects DNS resolvers (degraded performance)');
    expect(feed.items.map((i) => i.content).join('')).not.toMatch(/affects (webmail|dns) /);
  });

  it('sanitizes bodies', () => {
    const xml = buildFeed({ ...site, incidents: sample() });
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('&lt;script&gt;');
  });

  it('keeps the guid when an update is corrected, and is byte-identical for the same timeline', async () => {
    const before = buildFeed({ ...site, incidents: sample() });
    expect(buildFeed({ ...site, incidents: sample() })).toBe(before);
    const corrected = sample();
    corrected[0].updates[0] = update('web-down#2', 'identified', 'Found it: a full disk.', '2026-11-20T11:00:00Z', at('2026-11-20T11:30:00Z'));
    const feed = await new Parser().parseString(buildFeed({ ...site, incidents: corrected }));
    const item = feed.items.find((i) => i.guid === 'https://status.example.com/incidents/web-down#2')!;
    expect(item.content).toContain('a full disk');
    expect(item.content).toContain('corrected');
    expect(feed.items).toHaveLength(3);
  });

  it('shows images on other hosts through absolute proxy URLs, so a feed reader never asks the image host', async () => {
    const src = 'https://images.example/graph.png';
    const proxied = `${site.siteUrl}/img/signature/aHR0cHM6Ly9pbWFnZXMuZXhhbXBsZS9ncmFwaC5wbmc`;
    const withImage = incident({ id: 'graph', updates: [update('graph#1', 'investigating', `Latency:\n\n![graph](${src})`, '2026-11-20T10:00:00Z')] });
    const [item] = (await new Parser().parseString(buildFeed({ ...site, incidents: [withImage], imageUrl: (url) => (url === src ? proxied : null) }))).items;
    expect(item.content).toContain(`<img src="${proxied}" alt="graph" />`);
    expect(item.content).not.toContain('images.example');
    // Without the proxy, the image is a link.
    const [linked] = (await new Parser().parseString(buildFeed({ ...site, incidents: [withImage] }))).items;
    expect(linked.content).toContain(`<a href="${src}" rel="nofollow noopener noreferrer">graph</a>`);
  });

  it('filters a component feed and caps the number of items', async () => {
    const feed = await new Parser().parseString(buildFeed({ ...site, incidents: sample(), component: { id: 'dns', name: 'DNS' } }));
    expect(feed.items.map((i) => i.title)).toEqual(['DNS slow — Resolved']);
    const many = incident({
      id: 'long',
      updates: Array.from({ length: 80 }, (_, n) => update(`long#${n}`, 'monitoring', `n${n}`, new Date(Date.UTC(2026, 10, 1, 0, n)).toISOString())),
    });
    expect((await new Parser().parseString(buildFeed({ ...site, incidents: [many] }))).items).toHaveLength(feedItemLimit);
  });
});
