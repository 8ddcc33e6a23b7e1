// Staff accounts: creation, passwords (argon2id), roles, disabling. Every
// change is audited. A rejected change throws ActionError naming the field.
import { hash, verify } from '@node-rs/argon2';
import { and, count, eq, isNull, like, or } from 'drizzle-orm';
import { staffRoles, type StaffRole } from '../../../db/constants';
import { loginChallenges, loginFailures, sessions, users, type UserRow } from '../../../db/schema';
import { recordAudit, type Actor } from './audit';
import { deviceKeyPrefix } from './devices';
import { otherSessionsOf } from './sessions';
import type { HeraldDb } from '../db';
import { randomSecret, sha256 } from '../secrets';
import { canonicalEmail } from '../../email-address';
import { ActionError } from '../validate';

export const passwordLength = { min: 12, max: 1000 } as const;

/** The login-throttle key of an account (login.ts): variants of one address (case, IDN forms) share it; a new password clears it. */
export const accountKey = (email: string) => `email:${lookupForm(email)}`;

/** The throttle key of an account's second-factor codes (login.ts); a new password or a reset clears it. */
export const factorKey = (userId: number) => `factor:${userId}`;

/** The form an address is looked up by: canonical when it is valid, else as typed, lower-cased (it matches nothing). */
function lookupForm(email: string): string {
  const check = canonicalEmail(email);
  return check.ok ? check.address : email.trim().toLowerCase();
}

/** argon2id with the library's defaults (19 MiB, 2 passes), OWASP's recommended minimum. */
const argon2id = { algorithm: 2 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2id);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A generated password: 18 random bytes, 24 characters. */
export function randomPassword(): string {
  return randomSecret(18);
}

/** The one Staff view of an account: never carries the hash. */
export type Staff = Omit<UserRow, 'passwordHash'>;

function withoutHash({ passwordHash: _, ...user }: UserRow): Staff {
  return user;
}

export function normalizeEmail(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ActionError('email', 'email is required');
  const check = canonicalEmail(value);
  if (!check.ok) throw new ActionError('email', `"${value.trim().slice(0, 254)}" is not an email address: ${check.reason}`);
  return check.address;
}

function checkPassword(value: unknown, field = 'password'): string {
  if (typeof value !== 'string' || value === '') throw new ActionError(field, 'password is required');
  if (value.length < passwordLength.min) {
    throw new ActionError(field, `password must be at least ${passwordLength.min} characters`);
  }
  if (value.length > passwordLength.max) {
    throw new ActionError(field, `password must be at most ${passwordLength.max} characters`);
  }
  return value;
}

function checkRole(value: unknown): StaffRole {
  if (typeof value !== 'string' || !(staffRoles as readonly string[]).includes(value)) {
    throw new ActionError('role', `role must be one of ${staffRoles.join(', ')}`);
  }
  return value as StaffRole;
}

function checkName(value: unknown, email: string): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (name.length > 100) throw new ActionError('name', 'name is longer than 100 characters');
  return name || email.split('@')[0];
}

export function listStaff(db: HeraldDb): Staff[] {
  return db.select().from(users).orderBy(users.email).all().map(withoutHash);
}

/** The address of an account that may still be told things: null once disabled or gone. */
export function activeStaffEmail(db: HeraldDb, userId: number): string | null {
  const row = db.select({ email: users.email, disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId)).get();
  return row && !row.disabledAt ? row.email : null;
}

export function findStaffByEmail(db: HeraldDb, email: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.email, lookupForm(email))).get();
}

export interface NewStaff {
  email: unknown;
  name?: unknown;
  role: unknown;
  password: unknown;
  /** Herald made the password and shows it to someone else (see users.passwordGenerated). */
  generated?: boolean;
}

export async function createStaff(db: HeraldDb, actor: Actor, input: NewStaff, now = new Date()): Promise<Staff> {
  const email = normalizeEmail(input.email);
  const role = checkRole(input.role);
  const name = checkName(input.name, email);
  const password = checkPassword(input.password);
  if (findStaffByEmail(db, email)) throw new ActionError('email', `${email} already has an account`, 'conflict');
  const passwordHash = await hashPassword(password);
  return db.transaction((tx) => {
    // Checked again inside the transaction: another request may have created it while we hashed.
    if (tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get()) {
      throw new ActionError('email', `${email} already has an account`, 'conflict');
    }
    const row = tx
      .insert(users)
      .values({ email, name, role, passwordHash, passwordChangedAt: now, passwordGenerated: input.generated ?? false, createdAt: now })
      .returning()
      .get();
    recordAudit(tx, actor, 'user.create', email, { role }, now);
    return withoutHash(row);
  });
}

/**
 * Sets a new password and ends every session of that account except `keepSessionHash`
 * (the one that made the change), so a stolen session dies with the old password.
 * It also lifts a login lock on the account. `generated`: Herald made it and shows it to
 * whoever issued it, so its holder is asked to choose their own.
 */
export async function setPassword(
  db: HeraldDb,
  actor: Actor,
  userId: number,
  password: unknown,
  keepSessionHash: string | null = null,
  now = new Date(),
  generated = false,
): Promise<void> {
  const checked = checkPassword(password);
  const passwordHash = await hashPassword(checked);
  db.transaction((tx) => {
    const row = tx.update(users).set({ passwordHash, passwordChangedAt: now, passwordGenerated: generated }).where(eq(users.id, userId)).returning().get();
    if (!row) throw new ActionError('user', 'no such account', 'not_found');
    tx.delete(sessions).where(otherSessionsOf(userId, keepSessionHash)).run();
    // Whoever locked the account by guessing cannot keep its owner out past a reset; its
    // browsers' device cookies end with the old password (devices.ts), and so do their locks,
    // the lock on its codes (set by whoever had the old password) and its half-done logins.
    tx.delete(loginFailures)
      .where(or(eq(loginFailures.key, accountKey(row.email)), eq(loginFailures.key, factorKey(userId)), like(loginFailures.key, `${deviceKeyPrefix(userId)}%`)))
      .run();
    tx.delete(loginChallenges).where(eq(loginChallenges.userId, userId)).run();
    recordAudit(tx, actor, 'user.password', row.email, undefined, now);
  });
}

function activeOwners(tx: Pick<HeraldDb, 'select'>): number {
  const [row] = tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'owner'), isNull(users.disabledAt)))
    .all();
  return row.n;
}

export function changeRole(db: HeraldDb, actor: Actor, userId: number, role: unknown, now = new Date()): void {
  const checked = checkRole(role);
  db.transaction((tx) => {
    const row = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!row) throw new ActionError('user', 'no such account', 'not_found');
    if (row.role === checked) return;
    if (row.role === 'owner' && !row.disabledAt && activeOwners(tx) <= 1) {
      throw new ActionError('role', 'this is the last owner; make someone else owner first', 'conflict');
    }
    tx.update(users).set({ role: checked }).where(eq(users.id, userId)).run();
    recordAudit(tx, actor, 'user.role', row.email, { from: row.role, to: checked }, now);
  });
}

/** Disables (ending its sessions) or re-enables an account. */
export function setDisabled(db: HeraldDb, actor: Actor, userId: number, disabled: boolean, now = new Date()): void {
  db.transaction((tx) => {
    const row = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!row) throw new ActionError('user', 'no such account', 'not_found');
    if (disabled === (row.disabledAt !== null)) return;
    if (disabled && row.role === 'owner' && activeOwners(tx) <= 1) {
      throw new ActionError('user', 'this is the last owner; make someone else owner first', 'conflict');
    }
    tx.update(users).set({ disabledAt: disabled ? now : null }).where(eq(users.id, userId)).run();
    if (disabled) tx.delete(sessions).where(eq(sessions.userId, userId)).run();
    recordAudit(tx, actor, disabled ? 'user.disable' : 'user.enable', row.email, undefined, now);
  });
}

export const firstOwnerEmail = 'admin@example.com';

/**
 * On a database without accounts, creates admin@example.com as owner with a
 * random password and returns that password (to be printed once). Otherwise null.
 */
export async function ensureFirstOwner(db: HeraldDb, now = new Date()): Promise<string | null> {
  if (db.select({ id: users.id }).from(users).limit(1).get()) return null;
  const password = randomPassword();
  try {
    await createStaff(db, { label: 'herald', userId: null }, { email: firstOwnerEmail, name: 'Admin', role: 'owner', password, generated: true }, now);
  } catch (error) {
    // Two processes starting at once: the other one created it.
    if (error instanceof ActionError && error.reason === 'conflict') return null;
    throw error;
  }
  return password;
}

/** A stable stand-in hash, verified against when the email is unknown so both cases cost the same. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(sha256(randomSecret()));
  return decoyHash;
}
