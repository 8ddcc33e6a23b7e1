// The authored side of Herald, read from content/ at build time. The formats and
// their documented zod schemas live in src/lib/content/ (shared with the CLI);
// the loaders validate every file and fail the build naming file and field.
import { defineCollection } from 'astro:content';
import { catalogLoader, incidentLoader, pageLoader, templateLoader } from './lib/content/loaders';

const files = { folder: 'content' };

export const collections = {
  page: defineCollection({ loader: pageLoader(files) }),
  catalog: defineCollection({ loader: catalogLoader(files) }),
  incidents: defineCollection({ loader: incidentLoader(files) }),
  templates: defineCollection({ loader: templateLoader(files) }),
};
