// Readers of a private page on a real database (src/lib/server/readers): the
// shared password, cookies and tokens signed for what they are (one never
// passes for another), a new password or a revoke ending them all, staff's
// tokens ending with the account, sign-in links used once, and a link
// reader's access ending with their domain.
import { describe, expect, it } from 'vitest';
import { createStaff, setDisabled } from '../../src/lib/server/accounts/accounts';
import type { Actor } from '../../src/lib/server/accounts/audit';
import {
  readerAddress,
  readerFrom,
  readerLinkAddress,
  readerLinkMinutes,
  readerLinkToken,
  readerPasswordMatches,
  readerSessionValue,
  readerToken,
  revokeReaders,
  setReaderPassword,
  useReaderLink,
} from '../../src/lib/server/readers';
import { ActionError } from '../../src/lib/server/validate';
import { freshContext } from '../helpers/temp-db';

const actor: Actor = { label: 'test', userId: null };
const t0 = new Date('2026-11-01T09:00:00Z');
const domains = ['example.com'];

describe('readers of a private page', () => {
  it('keeps the shared password hashed, and a new one or a revoke ends every cookie and token', async () => {
    const { db } = freshContext();
    await expect(setReaderPassword(db, actor, 'short')).rejects.toBeInstanceOf(ActionError);
    await setReaderPassword(db, actor, 'the readers share this one', t0);
    expect(await readerPasswordMatches(db, 'the readers share this one')).toBe(true);
    expect(await readerPasswordMatches(db, 'not it')).toBe(false);
    const cookie = readerSessionValue(db, { via: 'password', name: 'reader' }, t0);
    const token = readerToken(db, { via: 'password', name: 'reader' });
    expect(readerFrom(db, { cookie }, t0)).toEqual({ via: 'password', name: 'reader' });
    expect(readerFrom(db, { token }, t0)).toEqual({ via: 'token', name: 'reader' });
    // A cookie is not a token, nor a token a cookie, nor either a tampered copy.
    expect(readerFrom(db, { token: cookie }, t0)).toBeNull();
    expect(readerFrom(db, { cookie: token }, t0)).toBeNull();
    expect(readerFrom(db, { cookie: cookie.replace('.p', '.l').replace(/^p\./, 'l.') }, t0)).toBeNull();
    // Thirty days, then the cookie is over.
    expect(readerFrom(db, { cookie }, new Date(t0.getTime() + 31 * 86_400_000))).toBeNull();

    await setReaderPassword(db, actor, 'a new one for everyone', t0);
    expect(readerFrom(db, { cookie }, t0)).toBeNull();
    expect(readerFrom(db, { token }, t0)).toBeNull();
    const again = readerToken(db, { via: 'password', name: 'reader' });
    expect(readerFrom(db, { token: again }, t0)).not.toBeNull();
    revokeReaders(db, actor, t0);
    expect(readerFrom(db, { token: again }, t0)).toBeNull();
  });

  it("ends a staff member's token with their account", async () => {
    const { db } = freshContext();
    const ed = await createStaff(db, actor, { email: 'ed@example.com', role: 'editor', password: 'correct horse battery staple' }, t0);
    const token = readerToken(db, { via: 'staff', name: ed.email });
    expect(readerFrom(db, { token }, t0)).toEqual({ via: 'token', name: 'ed@example.com' });
    setDisabled(db, actor, ed.id, true, t0);
    expect(readerFrom(db, { token }, t0)).toBeNull();
  });

  it('uses a sign-in link once, within its minutes, for an address of the domains; the reader ends with the domain', () => {
    const { db } = freshContext();
    expect(readerAddress(domains, ' Reader@EXAMPLE.com ')).toBe('reader@example.com');
    expect(readerAddress(domains, 'reader@example.com.evil.example')).toBeNull();
    expect(readerAddress(domains, 'not an address')).toBeNull();
    const link = readerLinkToken(db, 'reader@example.com', t0);
    expect(readerLinkAddress(db, link, t0)).toBe('reader@example.com');
    expect(readerLinkAddress(db, link, new Date(t0.getTime() + (readerLinkMinutes + 1) * 60_000))).toBeNull();
    expect(readerLinkAddress(db, `${link.slice(0, -2)}xx`, t0)).toBeNull();
    expect(useReaderLink(db, link, new Date(t0.getTime() + (readerLinkMinutes + 1) * 60_000))).toBeNull();
    const reader = useReaderLink(db, link, t0);
    expect(reader).toEqual({ via: 'address', name: 'reader@example.com' });
    expect(useReaderLink(db, link, t0)).toBeNull();
    expect(readerLinkAddress(db, link, t0)).toBeNull();

    const cookie = readerSessionValue(db, reader!, t0);
    const token = readerToken(db, reader!);
    expect(readerFrom(db, { cookie, linkDomains: domains }, t0)).toEqual({ via: 'address', name: 'reader@example.com' });
    expect(readerFrom(db, { token, linkDomains: domains }, t0)).toEqual({ via: 'token', name: 'reader@example.com' });
    expect(readerFrom(db, { cookie, linkDomains: ['other.example'] }, t0)).toBeNull();
    expect(readerFrom(db, { token, linkDomains: [] }, t0)).toBeNull();
  });
});
