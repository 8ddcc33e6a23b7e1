// Random secrets and their stored form. Session cookies and API tokens are
// random 256-bit values; the database keeps only their SHA-256, so a leaked
// copy of the database cannot be replayed as a login.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A URL-safe random string carrying `bytes` bytes of entropy. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Compares two strings without leaking where they differ through timing. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(sha256(a));
  const right = Buffer.from(sha256(b));
  return timingSafeEqual(left, right);
}

const sealedPrefix = 'sealed:v1:';

/**
 * Encrypts a secret Herald keeps on someone's behalf (AES-256-GCM) with a key
 * from the environment, so a copy of the database alone does not reveal it.
 */
export function sealSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${sealedPrefix}${[iv, cipher.getAuthTag(), sealed].map((b) => b.toString('base64url')).join('.')}`;
}

export const isSealed = (stored: string) => stored.startsWith(sealedPrefix);

/** The secret as it was given; stored values from before a key was set are returned as they are. */
export function openSecret(stored: string, key: Buffer | null): string {
  if (!isSealed(stored)) return stored;
  if (!key) throw new Error('this secret is encrypted: set SECRETS_KEY to the key it was sealed with');
  const [iv, tag, sealed] = stored.slice(sealedPrefix.length).split('.').map((part) => Buffer.from(part, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv).setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('this secret cannot be decrypted: SECRETS_KEY is not the key it was sealed with');
  }
}

/**
 * Seals the stored values still kept as they are (from before a key was set),
 * through `write`, in the caller's transaction; without a key, only counts them.
 */
export function sealPlain<Row>(rows: Row[], stored: (row: Row) => string, key: Buffer | null, write: (row: Row, sealed: string) => void): { sealed: number; plain: number } {
  const plain = rows.filter((row) => !isSealed(stored(row)));
  if (!key) return { sealed: 0, plain: plain.length };
  for (const row of plain) write(row, sealSecret(stored(row), key));
  return { sealed: plain.length, plain: 0 };
}
