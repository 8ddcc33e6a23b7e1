import { describe, expect, it } from 'vitest';
import { accessFor, isWrite, roleAllows, scopeAllows } from '../../src/lib/server/accounts/access';

describe('accessFor', () => {
  it('leaves the public site public', () => {
    for (const path of ['/', '/incidents/x', '/history/2026-10', '/healthz', '/administrator', '/api/v2/summary.json', '/apiadmin']) {
      expect(accessFor(path), path).toEqual({ kind: 'public' });
    }
  });

  it('guards the console, with owner pages for owners only', () => {
    expect(accessFor('/admin/login')).toEqual({ kind: 'login' });
    expect(accessFor('/admin')).toEqual({ kind: 'console', role: 'editor' });
    expect(accessFor('/admin/incidents/new')).toEqual({ kind: 'console', role: 'editor' });
    expect(accessFor('/admin/users')).toEqual({ kind: 'console', role: 'owner' });
    expect(accessFor('/admin/tokens/')).toEqual({ kind: 'console', role: 'owner' });
  });

  it('cannot be slipped past with case, doubled or trailing slashes', () => {
    expect(accessFor('//admin//users')).toEqual({ kind: 'console', role: 'owner' });
    expect(accessFor('/ADMIN/Users')).toEqual({ kind: 'console', role: 'owner' });
    expect(accessFor('/admin/users/')).toEqual({ kind: 'console', role: 'owner' });
    expect(accessFor('/admin/login/')).toEqual({ kind: 'login' });
    expect(accessFor('/API/admin/incidents')).toEqual({ kind: 'api' });
    expect(accessFor('/admin/%75sers')).toEqual({ kind: 'console', role: 'owner' });
    expect(accessFor('/%61dmin/tokens')).toEqual({ kind: 'console', role: 'owner' });
    expect(accessFor('/api/%61dmin/incidents')).toEqual({ kind: 'api' });
  });

  it('sends the API to bearer tokens', () => {
    expect(accessFor('/api/admin')).toEqual({ kind: 'api' });
    expect(accessFor('/api/admin/incidents/x/updates')).toEqual({ kind: 'api' });
  });
});

describe('roles, scopes and methods', () => {
  it('lets an owner do everything and an editor only editor things', () => {
    expect(roleAllows('owner', 'owner')).toBe(true);
    expect(roleAllows('owner', 'editor')).toBe(true);
    expect(roleAllows('editor', 'editor')).toBe(true);
    expect(roleAllows('editor', 'owner')).toBe(false);
  });

  it('lets a read token only read', () => {
    expect(scopeAllows('read', 'GET')).toBe(true);
    expect(scopeAllows('read', 'POST')).toBe(false);
    expect(scopeAllows('read', 'PATCH')).toBe(false);
    expect(scopeAllows('write', 'DELETE')).toBe(true);
  });

  it('treats everything but GET, HEAD and OPTIONS as a write', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].map(isWrite)).toEqual([false, false, false]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND'].map(isWrite)).toEqual([true, true, true, true, true]);
  });
});

describe('personal pages', () => {
  it('are recognised however the path is written, so they are never cached or stored', async () => {
    const { isPersonalPath, isSharedPublicPath } = await import('../../src/lib/server/accounts/access');
    for (const path of ['/subscribe', '/subscribe/manage', '//subscribe/manage', '/Subscribe/Manage', '/%73ubscribe/confirm', '//unsubscribe', '/unsubscribe/', '/subscribe//webhook']) {
      expect(isPersonalPath(path), path).toBe(true);
      expect(isSharedPublicPath(path), path).toBe(false);
    }
    for (const path of ['/', '/history', '/subscriber-count', '/feed.xml']) expect(isPersonalPath(path), path).toBe(false);
  });
});
