// @ts-check
import node from '@astrojs/node';
import { defineConfig } from 'astro/config';
import { fileURLToPath } from 'node:url';
import bootOnStart from './src/integrations/boot-on-start.ts';

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [bootOnStart(fileURLToPath(new URL('./src/lib/server/boot.ts', import.meta.url)))],
  // Every stylesheet is a file, so the Content-Security-Policy needs no 'unsafe-inline'.
  build: { inlineStylesheets: 'never' },
  // Cross-origin form posts are refused (CSRF); this is Astro's default, stated here on purpose.
  security: { checkOrigin: true },
  devToolbar: { enabled: false },
  server: { host: process.env.HOST ?? 'localhost', port: Number(process.env.PORT ?? 4321) },
  vite: { build: { assetsInlineLimit: 0 } },
});
