// Keeping the data: verified, rotated, optionally encrypted backups and
// restore (backup.ts, with the heavy part in backup-worker.mjs, a worker
// thread), time-delayed deletion (trash.ts), retention (retention.ts), and a
// full disk noticed before it loses a write (storage-health.ts).
export { BackupError, lastBackupStatus, listBackups, restoreBackup, scheduleBackups, takeBackup, verifyDigest } from './backup';
export { purgeExpired, scheduleRetention } from './retention';
export { StorageHealth, formatBytes, freeBytes, isStorageFull, storageFullMessage } from './storage-health';
export { listTrash, restoreFromTrash, trashIncident, trashUpdate } from './trash';
