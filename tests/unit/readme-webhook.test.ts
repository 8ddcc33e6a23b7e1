// The README's webhook verification sample is the code the tests verify
// deliveries with: if one changes, this fails until the other follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/server/paths';

it('the README gives receivers the same verification code the tests use', () => {
  const helper = readFileSync(join(projectRoot, 'tests/helpers/webhook-receiver.ts'), 'utf8');
  const sample = helper.split('// --- begin README sample ---\n')[1].split('// --- end README sample ---')[0];
  expect(sample).toContain('verifyHeraldSignature');
  expect(readFileSync(join(projectRoot, 'README.md'), 'utf8')).toContain(sample.trimEnd());
});
