// The server's one set of long-lived things: configuration, the database and the
// authored content. Started once, at boot (boot.ts); pages and endpoints reach
// it through getRuntime() and never open the database themselves.
import { getCollection } from 'astro:content';
import type { Catalog, PageSettings } from '../content/catalog';
import type { Content } from '../content/index';
import type { AuthoredIncident } from '../content/incident-file';
import { loadConfig, type Config } from '../config';
import { ensureFirstOwner, firstOwnerEmail } from './accounts';
import { syncCatalog } from './catalog-sync';
import { openDatabase, type HeraldDb } from './db';
import type { LogContext } from './staff-actions';

export interface Runtime extends LogContext {
  config: Config;
  db: HeraldDb;
  content: Content;
}

async function readContentCollections(): Promise<Content> {
  const [page] = await getCollection('page');
  const [catalog] = await getCollection('catalog');
  const incidents = await getCollection('incidents');
  return {
    page: page.data as PageSettings,
    catalog: catalog.data as Catalog,
    authored: incidents.map((entry) => entry.data as AuthoredIncident),
  };
}

let started: Promise<Runtime> | undefined;

/** Validates configuration, opens and migrates the database, syncs the catalog, creates the first owner. Once. */
export function getRuntime(): Promise<Runtime> {
  started ??= (async () => {
    const config = loadConfig();
    const db = openDatabase(config.databasePath, { quickCheck: true });
    const content = await readContentCollections();
    syncCatalog(db, content.catalog);
    const password = await ensureFirstOwner(db);
    if (password) {
      // The one time a password is printed: a newcomer must be able to log in.
      console.log(
        [
          `Herald: created the first account, an owner. Log in at ${config.siteUrl}/admin/login with`,
          `  email:    ${firstOwnerEmail}`,
          `  password: ${password}`,
          'This password is shown only once. Change it under Account once logged in.',
        ].join('\n'),
      );
    }
    return { config, db, content, authored: content.authored };
  })();
  return started;
}
