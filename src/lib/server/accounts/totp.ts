// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as every
// authenticator app computes them: HMAC-SHA1, 30-second steps, 6 digits.
// Small enough to own (node:crypto does the HMAC), and checked against the
// RFCs' own test vectors (tests/unit/totp.test.ts).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const totpStepSeconds = 30;
export const totpDigits = 6;
/** Steps either side of now a code is still accepted for: a phone's clock a little off, a code typed as it turned. */
const driftSteps = 1;

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, the form authenticator apps take keys in. */
export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** The bytes of a base32 key; spaces, dashes, padding and case are forgiven. Null when it is not base32. */
export function base32Decode(text: string): Buffer | null {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (clean === '') return null;
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = base32Alphabet.indexOf(char);
    if (index < 0) return null;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new key: 160 random bits, RFC 4226's recommended length, in base32. */
export function newTotpKey(): string {
  return base32Encode(randomBytes(20));
}

/** The step a moment falls in. */
export const totpStep = (at: Date) => Math.floor(at.getTime() / 1000 / totpStepSeconds);

/** HOTP (RFC 4226, section 5.3) of a counter: the code an app shows for that step. */
export function hotp(key: Buffer, counter: number, digits = totpDigits): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * The step this code is right for, near `at`, and later than `after` (the
 * last step a code was accepted for, so a code works once, and never one
 * older than the last used); null when it is not.
 */
export function matchingStep(key: string, code: string, at: Date, after: number): number | null {
  const bytes = base32Decode(key);
  const typed = code.replace(/\s/g, '');
  if (!bytes || !new RegExp(`^\\d{${totpDigits}}$`).test(typed)) return null;
  const now = totpStep(at);
  for (let step = now - driftSteps; step <= now + driftSteps; step++) {
    if (step > after && timingSafeEqual(Buffer.from(hotp(bytes, step)), Buffer.from(typed))) return step;
  }
  return null;
}

/** The otpauth:// URI an app reads from the QR code (Google Authenticator's Key Uri Format). */
export function otpauthUri(issuer: string, account: string, key: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  // Percent-encoded by hand: URLSearchParams writes a space as "+", which some apps show as it is.
  const query = Object.entries({ secret: key, issuer, algorithm: 'SHA1', digits: totpDigits, period: totpStepSeconds })
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return `otpauth://totp/${label}?${query}`;
}
