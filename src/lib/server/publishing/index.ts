// What staff publish, written once for the console, the HTTP API and the CLI
// alike: incidents, updates and maintenance (staff-actions.ts), components and
// groups (component-actions.ts), each validated and audited in one transaction;
// and what the server read from content/ at start, the catalog copied into tables (content-sync.ts).
export { servedContent, syncContent } from './content-sync';
export { changeComponent, createComponent, createGroup, editComponent, editGroup, findComponent } from './component-actions';
export { changeIncident, correctUpdate, createIncident, findUpdate, editIncident, forgetPromises, parseWait, recordOverdueAlert, postUpdate, postWindowUpdates, refreshClosedAt, resolveIncident, scheduleMaintenance, setComponentStatus, type ComponentChange, type IncidentEdit, type LogContext, type NewUpdate } from './staff-actions';
