import { classifyChange } from '../../../local/watch/watch';

test.each([
  ['lambda/profile/profile.ts', 'code'],
  ['lambda/shared/routes.ts', 'code'],
  ['infra/routes.ts', 'synth'],
  ['infra/constructs/cors.ts', 'synth'],
  ['cdk.json', 'synth'],
  ['package-lock.json', 'synth'],
  ['tsconfig.json', 'synth'],
  ['lambda/profile/.profile.ts.swp', 'ignored'],
  ['lambda/profile/profile.ts.saving', 'ignored'],
  ['README.md', 'ignored'],
  ['local/server.ts', 'ignored'],
])('%s → %s', (file, kind) => expect(classifyChange(file)).toBe(kind));
