// Imported first by the built server entry (src/integrations/boot-on-start.ts):
// start the runtime before the first request, and stop with one line if we can't.
import { loadConfig } from '../config';
import { scheduleBackups } from './backup';
import { scheduleRetention } from './retention';
import { startDeliveryWorker } from './delivery';
import { answerBeforeTheAdapter, installProxyTrust } from './forwarded';
import { answerHitFromMemory } from './render-cache';
import { getRuntime } from './runtime';
import { shutdownGracefully, trackListeningServers } from './shutdown';
import { sealStoredSecrets } from './webhooks';

trackListeningServers();

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
    const secrets = sealStoredSecrets(runtime.db, config.secretsKey);
    if (secrets.sealed) console.log(`Herald: encrypted ${secrets.sealed} webhook secrets with SECRETS_KEY`);
    if (secrets.plain) console.warn(`Herald: ${secrets.plain} webhook secrets are stored unencrypted; set SECRETS_KEY (README: Configuration)`);
    answerBeforeTheAdapter((request, response) => answerHitFromMemory(runtime.db, request, response));
    const stopBackups = scheduleBackups(runtime.db, config.backup);
    scheduleRetention(runtime.db, config.retention);
    const worker = config.worker ? startDeliveryWorker(runtime.db, runtime.content, config) : null;
    shutdownGracefully(runtime.db, async () => {
      await Promise.all([stopBackups(), worker?.stop()]);
    });
    if (worker) {
      console.log(`Herald: delivering notifications ${config.mail.smtpUrl ? 'over SMTP' : `as files in ${config.mail.dir}`}`);
    }
  },
  (error: Error) => {
    const known = error.name === 'ConfigError' || error.name === 'ContentError';
    console.error(`Herald cannot start: ${known ? error.message : (error.stack ?? error.message)}`);
    process.exit(1);
  },
);
