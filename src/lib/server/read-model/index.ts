// The read model: what every reader reads. Markdown and live incidents become
// one Incident here and nowhere else; pages, feeds, the JSON API, badges, the
// calendar and the CLI call these named reads, each through indexes, so a
// route's cost follows what it shows, not the length of the history.
export { readComponents, readGroups, readLiveLog, readStatusLog } from './live-log';
export { incidentExists, listedComponentExists } from './exists';
export { loadStatusPage, readUptimeCorrections, statuspageSource, type ApiView, type StatusPage, type UptimeCorrections } from './status-page';
export {
  loadApiView,
  readAllMaintenance,
  readComponentNames,
  readCurrentStatus,
  readCurrentTimeline,
  readComponentWindow,
  componentWindowDays,
  readFeedIncidents,
  readFirstMonth,
  readHistoryMonth,
  readHistoryMonths,
  readIncident,
  readLapsedPromises,
  readMaintenanceSeries,
  readSeries,
  readMonthPage,
  readMonthUptime,
  readMonthIncidents,
  readNewestStarted,
  readRecentlyClosed,
  readWatchedMaintenance,
  type ComponentWindow,
  type IncidentRead,
  type Sources,
  type WatchedPromise,
} from './queries';
