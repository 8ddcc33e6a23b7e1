// Staff accounts on a real database: argon2id hashes, email handling, the
// last-owner rule, disabling, and the first owner created at start.
import { describe, expect, it } from 'vitest';
import { sessions, users } from '../../src/db/schema';
import {
  changeRole,
  createStaff,
  ensureFirstOwner,
  findStaffByEmail,
  firstOwnerEmail,
  hashPassword,
  listStaff,
  setDisabled,
  setPassword,
  verifyPassword,
} from '../../src/lib/server/accounts/accounts';
import { readAudit, type Actor } from '../../src/lib/server/accounts/audit';
import { readSession, startSession } from '../../src/lib/server/accounts/sessions';
import { ActionError } from '../../src/lib/server/validate';
import { freshContext } from '../helpers/temp-db';

const actor: Actor = { label: 'test', userId: null };
const password = 'correct horse battery staple';

async function owner(db = freshContext().db, email = 'owner@example.com') {
  const user = await createStaff(db, actor, { email, role: 'owner', password });
  return { db, user };
}

describe('passwords', () => {
  it('are argon2id hashes that verify the right password only', async () => {
    const hash = await hashPassword(password);
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(hash).not.toContain(password);
    expect(await verifyPassword(hash, password)).toBe(true);
    expect(await verifyPassword(hash, `${password} `)).toBe(false);
    expect(await verifyPassword(hash, '')).toBe(false);
  });

  it('are salted: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword(password), hashPassword(password)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, password)).toBe(true);
    expect(await verifyPassword(b, password)).toBe(true);
  });

  it('a malformed stored hash is a failed check, not a crash', async () => {
    expect(await verifyPassword('not a hash', password)).toBe(false);
  });
});

describe('createStaff', () => {
  it('stores the email lower-cased and trimmed, the password hashed, and audits it', async () => {
    const { db } = freshContext();
    const created = await createStaff(db, actor, { email: '  Alice@Example.COM ', role: 'editor', password });
    expect(created).toMatchObject({ email: 'alice@example.com', name: 'alice', role: 'editor', disabledAt: null });
    expect(created).not.toHaveProperty('passwordHash');
    const row = findStaffByEmail(db, 'ALICE@example.com')!;
    expect(row.id).toBe(created.id);
    expect(row.passwordHash.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(row.passwordHash, password)).toBe(true);
    expect(readAudit(db)[0]).toMatchObject({ actor: 'test', action: 'user.create', target: 'alice@example.com' });
  });

  it('rejects a second account for the same email in any case', async () => {
    const { db } = await owner(undefined, 'alice@example.com');
    const again = createStaff(db, actor, { email: 'ALICE@example.com', role: 'editor', password });
    await expect(again).rejects.toThrow(ActionError);
    await expect(again).rejects.toMatchObject({ field: 'email', reason: 'conflict' });
    expect(listStaff(db)).toHaveLength(1);
  });

  it.each([
    [{ email: 'not-an-email', role: 'editor', password }, 'email'],
    [{ email: 'a@example.com', role: 'admin', password }, 'role'],
    [{ email: 'a@example.com', role: 'editor', password: 'short' }, 'password'],
    [{ email: 'a@example.com', role: 'editor', password: 'x'.repeat(1001) }, 'password'],
  ])('rejects %j naming the field, and writes nothing', async (input, field) => {
    const { db } = freshContext();
    await expect(createStaff(db, actor, input)).rejects.toMatchObject({ field });
    expect(db.select().from(users).all()).toHaveLength(0);
    expect(readAudit(db)).toHaveLength(0);
  });
});

describe('the last owner', () => {
  it('cannot be demoted or disabled', async () => {
    const { db, user } = await owner();
    expect(() => changeRole(db, actor, user.id, 'editor')).toThrow(/last owner/);
    expect(() => setDisabled(db, actor, user.id, true)).toThrow(/last owner/);
    expect(findStaffByEmail(db, user.email)).toMatchObject({ role: 'owner', disabledAt: null });
  });

  it('can be once there is another active owner', async () => {
    const { db, user } = await owner();
    const second = await createStaff(db, actor, { email: 'second@example.com', role: 'owner', password });
    changeRole(db, actor, user.id, 'editor');
    expect(findStaffByEmail(db, user.email)!.role).toBe('editor');
    // Now `second` is the last owner.
    expect(() => setDisabled(db, actor, second.id, true)).toThrow(/last owner/);
  });

  it('a disabled owner does not count as another owner', async () => {
    const { db, user } = await owner();
    const second = await createStaff(db, actor, { email: 'second@example.com', role: 'owner', password });
    setDisabled(db, actor, second.id, true);
    expect(() => changeRole(db, actor, user.id, 'editor')).toThrow(/last owner/);
  });
});

describe('setDisabled', () => {
  it('ends the account’s sessions, keeps the account, and can be undone', async () => {
    const { db, user } = await owner();
    const editor = await createStaff(db, actor, { email: 'ed@example.com', role: 'editor', password });
    const { token } = startSession(db, editor.id);
    const ownerSession = startSession(db, user.id);
    setDisabled(db, actor, editor.id, true);
    expect(db.select().from(sessions).all().map((s) => s.userId)).toEqual([user.id]);
    expect(readSession(db, token)).toBeNull();
    expect(readSession(db, ownerSession.token)).not.toBeNull();
    expect(findStaffByEmail(db, 'ed@example.com')!.disabledAt).toBeInstanceOf(Date);
    setDisabled(db, actor, editor.id, false);
    expect(findStaffByEmail(db, 'ed@example.com')!.disabledAt).toBeNull();
    expect(readAudit(db).slice(0, 2).map((a) => a.action)).toEqual(['user.enable', 'user.disable']);
  });
});

describe('ensureFirstOwner', () => {
  it('creates admin@example.com as owner once, with a password that works', async () => {
    const { db } = freshContext();
    const generated = await ensureFirstOwner(db);
    expect(generated).toEqual(expect.any(String));
    expect(generated!.length).toBeGreaterThanOrEqual(12);
    const admin = findStaffByEmail(db, firstOwnerEmail)!;
    expect(admin).toMatchObject({ email: 'admin@example.com', role: 'owner', disabledAt: null });
    expect(await verifyPassword(admin.passwordHash, generated!)).toBe(true);

    expect(await ensureFirstOwner(db)).toBeNull();
    expect(listStaff(db)).toHaveLength(1);
    expect(await verifyPassword(findStaffByEmail(db, firstOwnerEmail)!.passwordHash, generated!)).toBe(true);
  });

  it('marks a password Herald made and showed to someone, until its holder chooses their own', async () => {
    const { db } = freshContext();
    const system = { label: 'test', userId: null };
    await ensureFirstOwner(db);
    const admin = findStaffByEmail(db, firstOwnerEmail)!;
    expect(admin.passwordGenerated).toBe(true);
    // The owner's choice clears it; a password an owner issues for someone sets it again.
    await setPassword(db, { label: 'admin', userId: admin.id }, admin.id, 'a passphrase of my own');
    expect(findStaffByEmail(db, firstOwnerEmail)!.passwordGenerated).toBe(false);
    const editor = await createStaff(db, system, { email: 'ed@example.com', role: 'editor', password: 'issued by the owner', generated: true });
    expect(editor.passwordGenerated).toBe(true);
    await setPassword(db, system, editor.id, 'mine now, long enough');
    await setPassword(db, system, editor.id, 'issued again by the owner', null, new Date(), true);
    expect(findStaffByEmail(db, 'ed@example.com')!.passwordGenerated).toBe(true);
    expect((await createStaff(db, system, { email: 'cli@example.com', role: 'editor', password: 'typed at the terminal' })).passwordGenerated).toBe(false);
  });

  it('does nothing on a database that already has accounts', async () => {
    const { db } = await owner();
    expect(await ensureFirstOwner(db)).toBeNull();
    expect(findStaffByEmail(db, firstOwnerEmail)).toBeUndefined();
  });
});

it('refuses email addresses with control characters (they would reach mail headers and logs)', async () => {
  const { normalizeEmail } = await import('../../src/lib/server/accounts/accounts');
  for (const bad of ['a\u0000b@example.com', 'a@exa\rmple.com', 'a\n@example.com', 'a\u007f@example.com']) {
    expect(() => normalizeEmail(bad)).toThrow(/is not an email address/);
  }
  expect(normalizeEmail(' Jane.Doe@Example.com ')).toBe('jane.doe@example.com');
});
