import { describe, expect, it } from 'vitest';
import { formBodyLimit, localInstant, peekForm, refusedFormPage, safeNext } from '../../src/lib/server/http/forms';
import { ActionError } from '../../src/lib/server/validate';

describe('safeNext', () => {
  it('keeps plain console paths', () => {
    expect(safeNext('/admin/incidents/2026-11-22-x?done=1')).toBe('/admin/incidents/2026-11-22-x?done=1');
    expect(safeNext('/admin')).toBe('/admin');
  });

  it('sends everything else to the dashboard', () => {
    for (const bad of [null, '', 'https://evil.example', '//evil.example', '/admin//evil.example', '/\\evil.example', '/adminx', '/admin/€', '/admin\r\nX: 1', '/admin/ x', '/']) {
      expect(safeNext(bad), String(bad)).toBe('/admin');
    }
  });
});

describe('localInstant', () => {
  it('reads the wall clock in the page zone', () => {
    expect(localInstant({ at: '2026-12-06T02:00' }, 'at', 'Europe/Berlin')).toEqual(new Date('2026-12-06T01:00:00Z'));
    expect(localInstant({ at: '2026-07-06T02:00' }, 'at', 'Europe/Berlin')).toEqual(new Date('2026-07-06T00:00:00Z'));
  });

  it('leaves an empty field empty and refuses impossible dates naming the field', () => {
    expect(localInstant({}, 'at', 'UTC')).toBe('');
    for (const bad of ['2027-02-30T10:00', '2026-13-01T00:00', '2026-06-01 10:00', 'tomorrow', '2026-06-01T25:00']) {
      expect(() => localInstant({ at: bad }, 'at', 'UTC'), bad).toThrowError(ActionError);
    }
  });
});

const formRequest = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Request('http://x/admin', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    // @ts-expect-error Node's fetch needs this for a streamed body
    duplex: 'half',
  });

describe('peekForm', () => {
  it('reads a form without consuming the request', async () => {
    const request = formRequest('title=Hello&csrf=abc');
    const form = await peekForm(request);
    expect(form instanceof FormData && form.get('title')).toBe('Hello');
    expect((await request.formData()).get('csrf')).toBe('abc');
  });

  it('refuses a body over the limit, by its length or by what arrives', async () => {
    const big = 'message=' + 'x'.repeat(formBodyLimit);
    expect(await peekForm(formRequest(big))).toBe('too_large');
    const chunk = new Uint8Array(64 * 1024).fill(120);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    expect(await peekForm(formRequest(endless))).toBe('too_large');
    expect(sent).toBeLessThan(formBodyLimit * 3); // stopped reading soon after the limit
  });

  it('is not a form when the type says otherwise', async () => {
    expect(await peekForm(formRequest('{}', { 'content-type': 'application/json' }))).toBeNull();
  });
});

describe('refusedFormPage', () => {
  it('shows back what was typed, escaped, but never passwords or tokens', async () => {
    const form = new FormData();
    form.set('message', '<script>alert(1)</script> keep me');
    form.set('password', 'hunter2hunter2');
    form.set('csrf', 'secret-token');
    const html = await refusedFormPage(403, 'Expired', 'Reload.', form).text();
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; keep me');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('hunter2');
    expect(html).not.toContain('secret-token');
  });
});
