// What staff publish, written once for the console, the HTTP API and the CLI
// alike: incidents, updates and maintenance (staff-actions.ts), components and
// groups (component-actions.ts), each validated and audited in one transaction;
// and the component catalog copied from content/ at start (catalog-sync.ts).
export { syncCatalog } from './catalog-sync';
export { createComponent, createGroup, editComponent, editGroup, findComponent } from './component-actions';
export { correctUpdate, createIncident, findUpdate, editIncident, postUpdate, postWindowUpdates, refreshClosedAt, resolveIncident, scheduleMaintenance, setComponentStatus, type ComponentChange, type LogContext } from './staff-actions';
