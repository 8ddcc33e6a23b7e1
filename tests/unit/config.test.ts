import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/lib/config';

describe('configuration', () => {
  it('reads single sign-on: domains folded, claim values listed, plain HTTP only on loopback', () => {
    expect(loadConfig({ ...{ OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_ID: 'herald', OIDC_CLIENT_SECRET: 's3cret' }, OIDC_EMAIL_DOMAINS: ' Example.com, @corp.example ', OIDC_NAME: 'Okta', OIDC_PASSWORD_LOGIN: '0' }).sso).toEqual({
      issuer: 'https://login.example.com',
      clientId: 'herald',
      clientSecret: 's3cret',
      name: 'Okta',
      emailDomains: ['example.com', 'corp.example'],
      roleClaim: null,
      ownerValues: [],
      editorValues: [],
      passwordLogin: false,
    });
    const local = loadConfig({ OIDC_ISSUER: 'http://127.0.0.1:9000/', OIDC_CLIENT_ID: 'h', OIDC_CLIENT_SECRET: 's', OIDC_ROLE_CLAIM: 'groups', OIDC_OWNER_VALUES: 'admins', OIDC_EDITOR_VALUES: 'ops, support' }).sso!;
    expect(local).toMatchObject({ issuer: 'http://127.0.0.1:9000/', name: 'single sign-on', roleClaim: 'groups', ownerValues: ['admins'], editorValues: ['ops', 'support'], passwordLogin: true });
  });

  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      host: 'localhost',
      port: 4321,
      databasePath: './data/herald.db',
      siteUrl: 'http://localhost:4321',
      trustProxy: false,
      mail: { smtpUrl: null, from: 'status@localhost', dir: 'data/mail', retryHours: 24, retryMinSeconds: 30, staffAlerts: [] },
      maintenanceReminderHours: 24,
      worker: true,
      contentWatch: true,
      metricsToken: null,
      mirrorDir: null,
      logFormat: 'text',
      outboxLeaseSeconds: 120,
      outboxExpandBatch: 2000,
      webhookAllowPrivate: false,
      secretsKey: null,
      security: { contact: 'mailto:security@localhost', expires: null },
      retention: { trashDays: 7, auditDays: 180 },
      backup: { dir: 'data/backups', intervalHours: 24, keepDaily: 7, keepWeekly: 4, key: null },
      sso: null,
      imageProxy: { allowPrivate: false, cacheDir: 'data/image-cache', cacheMb: 100 },
    });
    expect(loadConfig({ HERALD_DB: '/srv/herald/status.db' }).backup.dir).toBe('/srv/herald/backups');
    expect(loadConfig({ HERALD_DB: '/srv/herald/status.db' }).imageProxy.cacheDir).toBe('/srv/herald/image-cache');
    // Two instances with their own databases never write mail into one folder.
    expect(loadConfig({ HERALD_DB: '/srv/herald/status.db' }).mail.dir).toBe('/srv/herald/mail');
  });

  it('reads TRUST_PROXY as 1/true or 0/false, and nothing else', () => {
    for (const on of ['1', 'true', 'TRUE', ' true ']) expect(loadConfig({ TRUST_PROXY: on }).trustProxy).toBe(true);
    for (const off of ['0', 'false', '']) expect(loadConfig({ TRUST_PROXY: off }).trustProxy).toBe(false);
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrowError(/^TRUST_PROXY: must be 1\/true or 0\/false, got "yes"$/);
  });

  it('reads STAFF_ALERT_EMAILS as comma-separated addresses, folded as the subscribe form does', () => {
    expect(loadConfig({ STAFF_ALERT_EMAILS: ' OnCall@Example.com, ops@bücher.example ,oncall@example.com' }).mail.staffAlerts).toEqual(['oncall@example.com', 'ops@xn--bcher-kva.example']);
  });

  it('takes SITE_URL without a trailing slash', () => {
    expect(loadConfig({ SITE_URL: 'https://status.example.com/' }).siteUrl).toBe('https://status.example.com');
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT: /],
    [{ SMTP_URL: 'http://mail.example.com' }, /^SMTP_URL: must start with smtp/],
    [{ SMTP_URL: 'not a url' }, /^SMTP_URL: /],
    [{ MAIL_FROM: 'nobody' }, /^MAIL_FROM: /],
    [{ MAIL_RETRY_HOURS: '-1' }, /^MAIL_RETRY_HOURS: /],
    [{ BACKUP_INTERVAL_HOURS: 'daily' }, /^BACKUP_INTERVAL_HOURS: /],
    [{ BACKUP_KEEP_DAILY: '0' }, /^BACKUP_KEEP_DAILY: /],
    [{ BACKUP_KEY: 'x'.repeat(64) }, /^BACKUP_KEY: /],
    [{ SECURITY_CONTACT: 'security@example.com' }, /^SECURITY_CONTACT: must be a mailto: or https: URI/],
    [{ SECURITY_TXT_EXPIRES: '2001-01-01' }, /^SECURITY_TXT_EXPIRES: 2001-01-01 has passed/],
    [{ SECURITY_TXT_EXPIRES: 'soon' }, /^SECURITY_TXT_EXPIRES: is not a date/],
    [{ IMAGE_CACHE_MB: '0' }, /^IMAGE_CACHE_MB: must be a number from 1 to 1000000, got "0"$/],
    [{ IMAGE_PROXY_ALLOW_PRIVATE: 'yes' }, /^IMAGE_PROXY_ALLOW_PRIVATE: /],
    [{ HERALD_WORKER: 'maybe' }, /^HERALD_WORKER: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ HOST: 'bad host!' }, /^HOST: /],
    [{ SITE_URL: 'not a url' }, /^SITE_URL: /],
    [{ SITE_URL: 'ftp://example.com' }, /^SITE_URL: /],
    [{ HERALD_DB: '' }, /^HERALD_DB: /],
    [{ STAFF_ALERT_EMAILS: 'oncall@example.com, Ops Team <ops@example.com>' }, /^STAFF_ALERT_EMAILS: "Ops Team <ops@example.com>" is not an address/],
    [{ OIDC_CLIENT_ID: 'herald' }, /^OIDC_ISSUER: is not set, but OIDC_CLIENT_ID is/],
    [{ OIDC_ISSUER: 'http://login.example.com', OIDC_CLIENT_ID: 'herald', OIDC_CLIENT_SECRET: 's', OIDC_EMAIL_DOMAINS: 'example.com' }, /^OIDC_ISSUER: must be an https:\/\/ URL/],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_SECRET: 's', OIDC_EMAIL_DOMAINS: 'example.com' }, /^OIDC_CLIENT_ID: /],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_ID: 'herald', OIDC_EMAIL_DOMAINS: 'example.com' }, /^OIDC_CLIENT_SECRET: /],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_ID: 'herald', OIDC_CLIENT_SECRET: 's3cret' }, /^OIDC_EMAIL_DOMAINS: name the email domains/],
    [{ ...{ OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_ID: 'herald', OIDC_CLIENT_SECRET: 's3cret' }, OIDC_EMAIL_DOMAINS: 'example' }, /^OIDC_EMAIL_DOMAINS: "example" is not a domain/],
    [{ ...{ OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_ID: 'herald', OIDC_CLIENT_SECRET: 's3cret' }, OIDC_ROLE_CLAIM: 'groups' }, /^OIDC_ROLE_CLAIM: needs OIDC_OWNER_VALUES or OIDC_EDITOR_VALUES/],
    [{ ...{ OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_ID: 'herald', OIDC_CLIENT_SECRET: 's3cret' }, OIDC_ROLE_CLAIM: 'groups', OIDC_EDITOR_VALUES: 'staff', OIDC_PASSWORD_LOGIN: '0' }, /^OIDC_PASSWORD_LOGIN: turns passwords off/],
  ])('rejects %o with one line naming the variable', (env, pattern) => {
    expect(() => loadConfig(env)).toThrowError(pattern);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
