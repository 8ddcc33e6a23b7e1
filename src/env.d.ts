/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The language the page is read in: from its address (/de/…), else the page's default. */
    locale?: import('./lib/i18n/locales').Locale;
    /** SITE_URL, for what must be a whole address (hreflang alternates). */
    siteUrl?: string;
    /** The page's default language (content/page.yml), whose addresses carry no prefix. */
    defaultLocale?: import('./lib/i18n/locales').Locale;
    /** The runtime Herald's server started, handed to Astro with every request (src/lib/server/http/server.ts). */
    herald?: import('./lib/server/runtime').Runtime;
    /** The console session, set by the middleware for /admin requests. */
    session?: import('./lib/server/accounts').Session;
    /** A browser write's form as the middleware read it, to show back what was typed if saving fails. */
    form?: FormData | null;
    /** Who reads a private page, set by the middleware for its public addresses (src/lib/server/readers). */
    reader?: import('./lib/server/readers').Reader;
    /** The bearer token, set by the middleware for /api/admin requests. */
    apiToken?: import('./lib/server/accounts').ApiToken;
    /** What the console's layout shows around every page, set by the middleware for /admin requests. */
    console?: {
      siteName: string;
      backupProblem: string | null;
      storageProblem: string | null;
      /** Why content/ as it is now is not served (the last good content is), file and field first. */
      contentProblem: string | null;
      /** Open incidents whose promised next update is past, oldest promise first. */
      overdue: { id: string; title: string; promisedBy: Date }[];
    };
  }
}
