// drizzle-kit: `npm run db:generate` writes a migration for every schema change
// into src/db/migrations/, which is committed and applied at start.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './src/db/migrations',
});
