// Text that reaches a log or the console's outbox view may quote a subscriber
// (a mail server's "550 <jane@example.com>: no such user"). Addresses in it are
// masked the way the console masks them, so logs carry no email addresses.
import { maskEmail } from './subscriptions';

const emailPattern = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

export function redactEmails(text: string): string {
  return text.replace(emailPattern, (address) => maskEmail(address));
}
