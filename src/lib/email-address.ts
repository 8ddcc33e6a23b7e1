// Email addresses as Herald accepts them: a bare addr-spec (RFC 5321/5322) in
// its dot-atom form, nothing a mail library could read as something else. No
// display names, groups, routes, comments, quoted local parts or address
// literals: each of those lets the address that is stored differ from the one
// the mail goes to (`g1:victim@example.org` is a group; nodemailer sends it to
// victim@example.org), which also defeats the per-address limits.
//
// The canonical form, stored and counted, is lower case with the domain in
// its ASCII (punycode) form, so `Jane@Bücher.example` and
// `jane@xn--bcher-kva.example` are one address.
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';

export type AddressCheck = { ok: true; address: string } | { ok: false; reason: string };

/** RFC 5322 atext: what a dot-atom's parts are made of. */
const atext = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-";
const atomChar = new RegExp(`^[${atext}]$`);
const dotAtom = new RegExp(`^[${atext}]+(?:\\.[${atext}]+)*$`);
const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The canonical form of `value`, or why it is not an address Herald sends to. */
export function canonicalEmail(value: string): AddressCheck {
  const typed = value.trim();
  if (typed === '') return { ok: false, reason: 'it is empty' };
  const at = typed.lastIndexOf('@');
  if (at <= 0 || at === typed.length - 1) return { ok: false, reason: 'it needs a name, an @ and a domain, like jane@example.com' };
  const local = typed.slice(0, at);
  const domain = typed.slice(at + 1);
  if (local.includes('@') && !local.startsWith('"')) return { ok: false, reason: 'it holds more than one @' };
  if (local.startsWith('"')) return { ok: false, reason: 'quoted names are not accepted' };
  if (!dotAtom.test(local)) {
    const stray = [...local].find((ch) => ch !== '.' && !atomChar.test(ch));
    return { ok: false, reason: stray ? `"${stray}" cannot appear before the @` : 'a dot may not start, end or double up before the @' };
  }
  if (local.length > 64) return { ok: false, reason: 'the part before the @ is longer than 64 characters' };
  // The URL parser would silently drop tabs and line breaks; an address with them is refused, not repaired.
  if (/[\s\p{Cc}]/u.test(domain)) return { ok: false, reason: 'the domain holds spaces or control characters' };
  if (domain.startsWith('[')) return { ok: false, reason: 'addresses at an IP address are not accepted' };
  // UTS #46: maps width and case variants, and turns an internationalised domain into punycode.
  const ascii = domainToASCII(domain).toLowerCase();
  if (ascii === '' || ascii.endsWith('.')) return { ok: false, reason: `"${domain}" is not a domain name` };
  const labels = ascii.split('.');
  if (labels.length < 2) return { ok: false, reason: `"${domain}" is not a public domain (it has no dot)` };
  if (!labels.every((l) => label.test(l)) || /^[0-9]+$/.test(labels.at(-1)!)) return { ok: false, reason: `"${domain}" is not a domain name` };
  const address = `${local.toLowerCase()}@${ascii}`;
  if (address.length > 254) return { ok: false, reason: 'it is longer than 254 characters' };
  // The mail library must read exactly this one address back; anything else is refused.
  const parsed = addressparser(address, { flatten: true });
  if (parsed.length !== 1 || parsed[0].address !== address || parsed[0].name !== '') {
    return { ok: false, reason: 'the mail library would read it as a different address' };
  }
  return { ok: true, address };
}

/** Whether `address` is already in canonical form (addresses stored before this rule may not be). */
export function isCanonicalEmail(address: string): boolean {
  const check = canonicalEmail(address);
  return check.ok && check.address === address;
}
