// Moved to the read model (src/lib/server/read-model/). Kept only so
// scripts/bench-notify.ts, which this branch does not touch, still resolves;
// import from './read-model' everywhere else.
export { readComponents, readGroups, readLiveLog, readRecentLog, readStatusLog } from './read-model';
