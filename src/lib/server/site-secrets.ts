// Keys Herald makes for itself (to sign subscriber links, image URLs, staff's device cookies, readers' cookies and tokens and
// authenticator set-up forms): made
// once, kept in the settings table so links stay valid across restarts and in
// the static export, and read from memory after the first use.
import { settings } from '../../db/schema';
import { readSetting, type HeraldDb } from './db';
import { randomSecret } from './secrets';

const known = new WeakMap<HeraldDb, Map<string, string>>();

const names = ['link-secret', 'image-secret', 'device-secret', 'factor-secret', 'reader-secret'] as const;

export function siteSecret(db: HeraldDb, name: (typeof names)[number]): string {
  let secrets = known.get(db);
  if (!secrets) known.set(db, (secrets = new Map()));
  let secret = secrets.get(name);
  if (!secret) {
    // Read before writing: a page that only reads must not need the disk to have room.
    const read = () => readSetting(db, name);
    secret = read();
    if (!secret) {
      db.insert(settings).values({ key: name, value: randomSecret(32) }).onConflictDoNothing().run();
      secret = read()!;
    }
    secrets.set(name, secret);
  }
  return secret;
}

/** Makes every key at start, so no later request has to write one (a full disk must not break a page view). */
export function ensureSiteSecrets(db: HeraldDb): void {
  for (const name of names) siteSecret(db, name);
}
