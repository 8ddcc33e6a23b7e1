// TOTP against the RFCs' own test vectors: HOTP (RFC 4226, appendix D) and
// TOTP with SHA-1 (RFC 6238, appendix B), and what a login accepts around now.
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchingStep, otpauthUri, totpStep } from '../../src/lib/server/accounts/totp';

const rfcKey = Buffer.from('12345678901234567890');
const rfcKeyBase32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('base32', () => {
  it('encodes as RFC 4648 does, and decodes what apps show (spaces, dashes, lower case)', () => {
    expect(base32Encode(rfcKey)).toBe(rfcKeyBase32);
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('mzxw 6ytb-oi')?.toString()).toBe('foobar');
    expect(base32Decode('MZXW6YTBOI======')?.toString()).toBe('foobar');
    expect(base32Decode(rfcKeyBase32)).toEqual(rfcKey);
    expect(base32Decode('not base32!')).toBeNull();
    expect(base32Decode('')).toBeNull();
  });
});

describe('hotp', () => {
  it('gives RFC 4226 appendix D codes', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, counter) => hotp(rfcKey, counter))).toEqual(expected);
  });

  it('gives RFC 6238 appendix B codes (SHA-1, 8 digits)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, code] of vectors) expect(hotp(rfcKey, totpStep(new Date(seconds * 1000)), 8)).toBe(code);
  });
});

describe('matchingStep', () => {
  const at = new Date(1234567890 * 1000);
  const step = totpStep(at);
  const code = (s: number) => hotp(rfcKey, s);

  it('accepts the code of now and of one step either side, and says which step it was', () => {
    expect(matchingStep(rfcKeyBase32, code(step), at, 0)).toBe(step);
    expect(matchingStep(rfcKeyBase32, code(step - 1), at, 0)).toBe(step - 1);
    expect(matchingStep(rfcKeyBase32, code(step + 1), at, 0)).toBe(step + 1);
    expect(matchingStep(rfcKeyBase32, ` ${code(step).slice(0, 3)} ${code(step).slice(3)} `, at, 0)).toBe(step);
  });

  it('refuses older codes, codes of steps already used, and anything not 6 digits', () => {
    expect(matchingStep(rfcKeyBase32, code(step - 2), at, 0)).toBeNull();
    expect(matchingStep(rfcKeyBase32, code(step + 2), at, 0)).toBeNull();
    expect(matchingStep(rfcKeyBase32, code(step), at, step)).toBeNull();
    expect(matchingStep(rfcKeyBase32, code(step - 1), at, step - 1)).toBeNull();
    expect(matchingStep(rfcKeyBase32, code(step + 1), at, step)).toBe(step + 1);
    expect(matchingStep(rfcKeyBase32, '12345', at, 0)).toBeNull();
    expect(matchingStep(rfcKeyBase32, '1234567', at, 0)).toBeNull();
    expect(matchingStep(rfcKeyBase32, 'abcdef', at, 0)).toBeNull();
  });
});

describe('otpauthUri', () => {
  it('writes the key URI apps read, with spaces as %20', () => {
    expect(otpauthUri('Example Status', 'ed@example.com', rfcKeyBase32)).toBe(
      `otpauth://totp/Example%20Status%3Aed%40example.com?secret=${rfcKeyBase32}&issuer=Example%20Status&algorithm=SHA1&digits=6&period=30`,
    );
  });
});
