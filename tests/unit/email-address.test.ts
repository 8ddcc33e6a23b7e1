// Herald stores and mails one canonical addr-spec: what is stored is what the
// mail library sends to, and variants of one address are one address.
import addressparser from 'nodemailer/lib/addressparser';
import { describe, expect, it } from 'vitest';
import { canonicalEmail, isCanonicalEmail } from '../../src/lib/email-address';

describe('canonicalEmail', () => {
  it.each([
    ['g1:victim@example.org', '":" cannot appear before the @'], // a group
    ['javascript:alert(1)@example.com', '":" cannot appear before the @'],
    ['<script>alert(1)</script>@example.com', '"<" cannot appear before the @'],
    ['Victim <victim@example.org>', '" " cannot appear before the @'], // a display name
    ['victim@example.org (me)', 'spaces or control characters'], // a comment
    ['victim@example.org(me)', 'is not a domain name'],
    ['(me)victim@example.org', '"(" cannot appear before the @'],
    ['@relay.example:victim@example.org', 'more than one @'], // a source route
    ['victim@example.org, other@example.org', 'more than one @'],
    ['"victim"@example.org', 'quoted names are not accepted'],
    ['victim@[192.0.2.1]', 'IP address'],
    ['.victim@example.org', 'a dot may not'],
    ['vic..tim@example.org', 'a dot may not'],
    ['josé@example.org', '"é" cannot appear before the @'],
    ['victim@localhost', 'no dot'],
    ['victim@example.123', 'is not a domain name'],
    ['victim@-example.org', 'is not a domain name'],
    ['victim@example.org.', 'is not a domain name'],
    ['victim@exa_mple.org', 'is not a domain name'],
    ['a\u0000b@example.com', 'cannot appear before the @'],
    ['victim@exa\rmple.org', 'spaces or control characters'],
    ['victim@exa\tmple.org', 'spaces or control characters'],
    [`${'a'.repeat(65)}@example.org`, 'longer than 64'],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.org`, 'longer than 254'],
    ['', 'empty'],
    ['victim', 'needs a name, an @ and a domain'],
  ])('refuses %j: %s', (typed, reason) => {
    const check = canonicalEmail(typed);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });

  it.each([
    [' Jane.Doe@Example.COM ', 'jane.doe@example.com'],
    ['jane@Bücher.example', 'jane@xn--bcher-kva.example'],
    ['jane@ＢＵＣＨＥＲ.example', 'jane@bucher.example'], // full-width forms fold (UTS #46)
    ["o'brien+status@mail.example.co.uk", "o'brien+status@mail.example.co.uk"],
    ['a!#$%&*/=?^_`{|}~-@example.org', 'a!#$%&*/=?^_`{|}~-@example.org'],
  ])('accepts %j as %j, and the mail library reads back exactly that address', (typed, canonical) => {
    expect(canonicalEmail(typed)).toEqual({ ok: true, address: canonical });
    expect(addressparser(canonical, { flatten: true })).toEqual([{ name: '', address: canonical }]);
    expect(isCanonicalEmail(canonical)).toBe(true);
  });

  it('knows an address stored in another form is not canonical', () => {
    expect(isCanonicalEmail('Jane@example.com')).toBe(false);
    expect(isCanonicalEmail('jane@bücher.example')).toBe(false);
    expect(isCanonicalEmail('g1:victim@example.org')).toBe(false);
  });
});
