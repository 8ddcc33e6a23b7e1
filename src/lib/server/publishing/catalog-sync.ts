// The component catalog is authored in content/components.yml; at start it is
// copied into SQLite so live statuses, foreign keys and the CLI have rows to
// point at. Names, groups and order follow the file; live status stays.
// Components and groups staff created or edited in the console have source
// 'console': they are theirs, and the file no longer changes them.
import { and, eq, notInArray, sql } from 'drizzle-orm';
import { componentGroups, components } from '../../../db/schema';
import type { Catalog } from '../../content/catalog';
import type { HeraldDb } from '../db';

export function syncCatalog(db: HeraldDb, catalog: Catalog): void {
  db.transaction((tx) => {
    for (const group of catalog.groups) {
      tx.insert(componentGroups)
        .values(group)
        .onConflictDoUpdate({
          target: componentGroups.id,
          set: { name: group.name, position: group.position },
          setWhere: eq(componentGroups.source, 'file'),
        })
        .run();
    }
    for (const c of catalog.components) {
      tx.insert(components)
        .values({ ...c, listed: true })
        .onConflictDoUpdate({
          target: components.id,
          set: {
            name: c.name,
            description: c.description,
            groupId: c.groupId,
            position: c.position,
            listed: true,
          },
          setWhere: eq(components.source, 'file'),
        })
        .run();
    }
    // Components that left the file keep their history but are no longer shown.
    const ids = catalog.components.map((c) => c.id);
    tx.update(components)
      .set({ listed: false })
      .where(and(eq(components.source, 'file'), ids.length ? notInArray(components.id, ids) : sql`1`))
      .run();
    const groupIds = catalog.groups.map((g) => g.id);
    tx.delete(componentGroups)
      .where(and(eq(componentGroups.source, 'file'), groupIds.length ? notInArray(componentGroups.id, groupIds) : sql`1`))
      .run();
  });
}
