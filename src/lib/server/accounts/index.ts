// Staff and who is acting: accounts (argon2id passwords), sessions, login
// throttling, single sign-on (OpenID Connect), API tokens, the access rules every request passes, the audit
// log every write records, second factors (an authenticator app, passkeys,
// recovery codes) and the rule on who must have one, and the rate limits shared with subscribers.
export { accessFor, isPersonalPath, isSharedPublicPath, isWrite, roleAllows, scopeAllows } from './access';
export { activeStaffEmail, changeRole, createStaff, ensureFirstOwner, findStaffByEmail, firstOwnerEmail, hashPassword, listStaff, normalizeEmail, passwordLength, randomPassword, setDisabled, setPassword, verifyPassword } from './accounts';
export { actingRuntime, type ActingRuntime } from './acting';
export { authenticateApiToken, createApiToken, listApiTokens, revokeApiToken, type ApiToken } from './api-tokens';
export { newestPublishedAuditSql, publishedAuditEntry, readAudit, recordAudit, systemActor, type Actor } from './audit';
export { deviceCookie, issueDeviceToken } from './devices';
export { allowHit } from './rate-limit';
export { consoleCookie, endSession, openSessions, otherSessionsOf, readSession, sessionCookie, startSession, type Session, type SessionVia } from './sessions';
export { answerChallenge, attemptLogin, challengeCookie, challengeFactors, loggedInCookies, loginWithPasskey, recheckPassword, startChallenge, tooManyAttempts } from './login';
export { auditedSsoRefusals, finishSsoLogin, passwordLoginOff, ssoCallbackPath, ssoCookie, ssoRefusals, startSsoLogin, type SsoFor, type SsoRefusal } from './sso';
export { addPasskey, passkeyCreationOptions, passkeyLoginOptions, passkeyProof, passkeyRequestOptions, passkeysOf, relyingParty, removePasskey, type PasskeySummary, type RelyingParty } from './passkeys';
export {
  accountsWithSecondFactor,
  beginTotpSetup,
  confirmTotpSetup,
  factorsOf,
  hasSecondFactor,
  mustSetUpSecondFactor,
  recoveryCodeCount,
  replaceRecoveryCodes,
  resetSecondFactors,
  sealTotpKeys,
  secondFactorRequired,
  setTwoFactorPolicy,
  turnOffOwnSecondFactor,
  useSecondFactor,
  twoFactorPolicies,
  twoFactorPolicy,
  type TotpSetup,
  type TwoFactorPolicy,
} from './second-factor';
