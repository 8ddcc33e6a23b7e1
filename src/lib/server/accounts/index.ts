// Staff and who is acting: accounts (argon2id passwords), sessions, login
// throttling, API tokens, the access rules every request passes, the audit
// log every write records, and the rate limits shared with subscribers.
export { accessFor, isPersonalPath, isSharedPublicPath, isWrite, roleAllows, scopeAllows } from './access';
export { activeStaffEmail, changeRole, createStaff, ensureFirstOwner, findStaffByEmail, firstOwnerEmail, listStaff, normalizeEmail, passwordLength, randomPassword, setDisabled, setPassword } from './accounts';
export { actingRuntime, type ActingRuntime } from './acting';
export { authenticateApiToken, createApiToken, listApiTokens, revokeApiToken, type ApiToken } from './api-tokens';
export { publishedAuditEntry, readAudit, recordAudit, systemActor, type Actor } from './audit';
export { attemptLogin } from './login';
export { deviceCookie, issueDeviceToken } from './devices';
export { allowHit } from './rate-limit';
export { endSession, openSessions, readSession, sessionCookie, startSession, type Session } from './sessions';
