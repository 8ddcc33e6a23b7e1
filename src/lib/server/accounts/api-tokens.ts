// Bearer tokens for /api/admin: created by an owner, shown once, stored as a
// SHA-256, revocable, with their last use recorded.
import { desc, eq, isNull, and } from 'drizzle-orm';
import { tokenScopes, type TokenScope } from '../../../db/constants';
import { apiTokens, type ApiTokenRow } from '../../../db/schema';
import { recordAudit, type Actor } from './audit';
import type { HeraldDb } from '../db';
import { randomSecret, sha256 } from '../secrets';
import { ActionError } from '../validate';

/** Every token starts with this, so secret scanners and people can recognise one. */
export const tokenPrefix = 'herald_';

export type ApiToken = Omit<ApiTokenRow, 'tokenHash'>;

export interface NewApiToken {
  name: unknown;
  scope: unknown;
}

/** Creates a token; the returned `secret` is never stored and cannot be shown again. */
export function createApiToken(db: HeraldDb, actor: Actor, input: NewApiToken, now = new Date()): { id: number; secret: string } {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name) throw new ActionError('name', 'name is required, e.g. deploy-bot');
  if (name.length > 100) throw new ActionError('name', 'name is longer than 100 characters');
  if (typeof input.scope !== 'string' || !(tokenScopes as readonly string[]).includes(input.scope)) {
    throw new ActionError('scope', `scope must be one of ${tokenScopes.join(', ')}`);
  }
  const scope = input.scope as TokenScope;
  const secret = tokenPrefix + randomSecret(32);
  return db.transaction((tx) => {
    const row = tx
      .insert(apiTokens)
      .values({ name, scope, tokenHash: sha256(secret), createdBy: actor.userId, createdAt: now })
      .returning({ id: apiTokens.id })
      .get();
    recordAudit(tx, actor, 'token.create', `token ${row.id} (${name})`, { scope }, now);
    return { id: row.id, secret };
  });
}

/** The token a bearer secret names, if it exists and is not revoked; records its use. */
export function authenticateApiToken(db: HeraldDb, secret: string, now = new Date()): ApiToken | null {
  if (!secret.startsWith(tokenPrefix) || secret.length > 200) return null;
  const row = db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sha256(secret)), isNull(apiTokens.revokedAt)))
    .get();
  if (!row) return null;
  // Recorded to the minute: a busy script should not turn every read into a synced write.
  const stale = !row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= 60_000;
  if (stale) db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run();
  const { tokenHash: _, ...token } = row;
  return { ...token, lastUsedAt: stale ? now : row.lastUsedAt };
}

export function listApiTokens(db: HeraldDb): ApiToken[] {
  return db
    .select()
    .from(apiTokens)
    .orderBy(desc(apiTokens.id))
    .all()
    .map(({ tokenHash: _, ...token }) => token);
}

export function revokeApiToken(db: HeraldDb, actor: Actor, id: number, now = new Date()): void {
  db.transaction((tx) => {
    const row = tx.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
    if (!row) throw new ActionError('token', `no token ${id}`, 'not_found');
    if (row.revokedAt) return;
    tx.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, id)).run();
    recordAudit(tx, actor, 'token.revoke', `token ${id} (${row.name})`, undefined, now);
  });
}
