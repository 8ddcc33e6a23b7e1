// Vitest's global setup: the CLI tests run bin/herald.mjs, which runs the built
// CLI (dist/herald/cli.mjs); it is bundled afresh from src/ first, so what
// they test is the code in front of them, not an older build.
import { bundleCli } from '../../src/integrations/server-bundle';

export default async function setup(): Promise<void> {
  await bundleCli();
}
