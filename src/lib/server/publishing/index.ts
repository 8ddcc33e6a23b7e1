// What staff publish, written once for the console, the HTTP API and the CLI
// alike: incidents, updates and maintenance (staff-actions.ts), components and
// groups (component-actions.ts), each validated and audited in one transaction;
// templates from git and the console (templates.ts); and what the server read
// from content/ at start, the catalog copied into tables (content-sync.ts);
// recurring maintenance, each occurrence made a window of its own (maintenance-series.ts);
// staff's words in the page's other languages (translations.ts).
export { contentReloadRequestedAt, describeContentProblem, readContentProblem, recordContentProblem, requestContentReload, servedContent, servesContent, syncContent, type ContentProblem } from './content-sync';
export { changeComponent, correctUptimeDay, createComponent, createGroup, editComponent, editGroup, findComponent } from './component-actions';
export { changeIncident, correctUpdate, createIncident, findUpdate, editIncident, forgetPromises, recordOverdueAlert, postUpdate, postWindowUpdates, refreshClosedAt, endSeries, resolveIncident, scheduleMaintenance, setComponentStatus, translateIncident, type ComponentChange, type IncidentEdit, type IncidentTranslation, type LogContext, type NewUpdate } from './staff-actions';
export { makeOccurrences, seriesHorizonMs } from './maintenance-series';
export { deleteTemplate, editTemplate, findTemplate, listTemplates, saveTemplate, templateOf, type TemplateInput } from './templates';
