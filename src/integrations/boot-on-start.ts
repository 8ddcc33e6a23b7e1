// Astro's standalone server loads middleware and pages lazily, on the first
// request. Herald must check its configuration, migrate the database and sync
// the catalog before it serves anything, and stop with one clear line when it
// cannot. This integration makes the built server entry import our boot module
// first, so `node dist/server/entry.mjs` boots eagerly.
import type { AstroIntegration } from 'astro';

const SSR_ENTRY = '\0@astrojs-ssr-virtual-entry';

export default function bootOnStart(bootModule: string): AstroIntegration {
  return {
    name: 'herald:boot-on-start',
    hooks: {
      'astro:config:setup': ({ command, updateConfig }) => {
        if (command !== 'build') return;
        updateConfig({
          vite: {
            plugins: [
              {
                name: 'herald:boot-on-start',
                transform(code, id) {
                  if (id === SSR_ENTRY) return `import ${JSON.stringify(bootModule)};\n${code}`;
                },
              },
            ],
          },
        });
      },
    },
  };
}
