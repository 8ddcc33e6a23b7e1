// Readers of a private page: who may read it, how they sign in (a shared
// password, a link mailed to them, staff's session, a token), and which
// addresses stay open to anyone (the sign-in itself, the probes).
export {
  hasReaderPassword,
  readerAddress,
  readerCookie,
  readerFrom,
  readerLinkAddress,
  readerLinkMinutes,
  readerLinkToken,
  readerPasswordMatches,
  readerSessionDays,
  readerSessionValue,
  readerToken,
  revokeReaders,
  sendReaderLink,
  setReaderPassword,
  useReaderLink,
  type Reader,
  type ReaderProof,
} from './readers';
export { isPrivatePage, openOnPrivatePage, readerNext, refusedReaderAnswer } from './gate';
