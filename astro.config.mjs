// @ts-check
import node from '@astrojs/node';
import { defineConfig } from 'astro/config';
import precompress from './src/integrations/precompress.ts';
import serverBundle from './src/integrations/server-bundle.ts';

export default defineConfig({
  output: 'server',
  // Astro renders; Herald's own server (src/lib/server/http/server.ts) does the rest.
  adapter: node({ mode: 'middleware' }),
  integrations: [precompress(), serverBundle()],
  // Every stylesheet is a file, so the Content-Security-Policy needs no 'unsafe-inline'.
  build: { inlineStylesheets: 'never' },
  // Astro's own origin check compares the Origin header with a URL whose host
  // comes from security.allowedDomains, a build-time list; without it every
  // request looks like http://localhost and every real form post is refused.
  // Herald's address is runtime configuration (SITE_URL), so src/middleware.ts
  // does the same check against SITE_URL and the Host header instead.
  security: { checkOrigin: false },
  devToolbar: { enabled: false },
  vite: { build: { assetsInlineLimit: 0 } },
});
