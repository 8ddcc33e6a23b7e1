// Imported first by the built server entry (src/integrations/boot-on-start.ts):
// start the runtime before the first request, and stop with one line if we can't.
import { loadConfig } from '../config';
import { scheduleBackups } from './backup';
import { startDeliveryWorker, stopOnSignals } from './delivery';
import { installProxyTrust } from './forwarded';
import { getRuntime } from './runtime';

// Synchronously, before the adapter's server takes its first request. A bad
// TRUST_PROXY is reported by getRuntime() below, like every other setting.
try {
  installProxyTrust(loadConfig().trustProxy);
} catch {
  /* reported below */
}

getRuntime().then(
  (runtime) => {
    const { config } = runtime;
    console.log(`Herald: database ${config.databasePath}, serving ${config.siteUrl}`);
    scheduleBackups(runtime.db, config.backup);
    if (config.worker) {
      void stopOnSignals(startDeliveryWorker(runtime.db, runtime.content, config));
      console.log(`Herald: delivering notifications ${config.mail.smtpUrl ? 'over SMTP' : `as files in ${config.mail.dir}`}`);
    }
  },
  (error: Error) => {
    const known = error.name === 'ConfigError' || error.name === 'ContentError';
    console.error(`Herald cannot start: ${known ? error.message : (error.stack ?? error.message)}`);
    process.exit(1);
  },
);
