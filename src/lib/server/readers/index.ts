// Readers of a private page: who may read it, how they sign in, and which
// addresses stay open to anyone (the sign-in itself, the probes).
export { hasReaderPassword, readerCookie, readerFrom, readerPasswordMatches, readerSessionDays, readerSessionValue, readerToken, revokeReaders, setReaderPassword, type Reader, type ReaderProof } from './readers';
export { isPrivatePage, openOnPrivatePage, refusedReaderAnswer } from './gate';
