// What an authenticator app does, written apart from Herald's own TOTP code
// (src/lib/server/accounts/totp.ts) so a test cannot pass on a shared mistake:
// the 6-digit code for a base32 key at a moment (RFC 6238: HMAC-SHA1, 30 s).
import { createHmac } from 'node:crypto';

export function appCode(key: string, when: Date | number = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...key.replace(/\s/g, '')].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const bytes = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(new Date(when).getTime() / 30_000)));
  const mac = createHmac('sha1', bytes).update(counter).digest();
  const offset = mac[19] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
