// Keys Herald makes for itself (to sign subscriber links, image URLs): made
// once, kept in the settings table so links stay valid across restarts and in
// the static export, and read from memory after the first use.
import { eq } from 'drizzle-orm';
import { settings } from '../../db/schema';
import type { HeraldDb } from './db';
import { randomSecret } from './secrets';

const known = new WeakMap<HeraldDb, Map<string, string>>();

export function siteSecret(db: HeraldDb, name: 'link-secret' | 'image-secret'): string {
  let secrets = known.get(db);
  if (!secrets) known.set(db, (secrets = new Map()));
  let secret = secrets.get(name);
  if (!secret) {
    db.insert(settings).values({ key: name, value: randomSecret(32) }).onConflictDoNothing().run();
    secret = db.select().from(settings).where(eq(settings.key, name)).get()!.value;
    secrets.set(name, secret);
  }
  return secret;
}
