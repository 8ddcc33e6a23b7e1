// The integrators' guide's webhook verification sample is the code the tests
// verify deliveries with: if one changes, this fails until the other follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/server/paths';

it('docs/integrators.md gives receivers the same verification code the tests use', () => {
  const helper = readFileSync(join(projectRoot, 'tests/helpers/webhook-receiver.ts'), 'utf8');
  const sample = helper.split('// --- begin docs sample ---\n')[1].split('// --- end docs sample ---')[0];
  expect(sample).toContain('verifyHeraldSignature');
  expect(readFileSync(join(projectRoot, 'docs/integrators.md'), 'utf8')).toContain(sample.trimEnd());
});
