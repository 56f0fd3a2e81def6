// The import graph of the project's own sources: no file imports itself back through others, and the layers
// stay apart (issue 16: the local emulator does not reach into the example app, the load test not into the tests).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SOURCE_DIRS = ['lambda', 'infra', 'local', 'scripts', 'bench', 'test'];

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return name === 'fixtures' ? [] : sources(rel);
    return rel.endsWith('.ts') && !rel.endsWith('.d.ts') ? [rel] : [];
  });
}

const files = new Set(SOURCE_DIRS.flatMap(sources));
const graph = new Map<string, string[]>(
  [...files].map((file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\b[^'"]*?from '(\.[^']+)'/gm)].flatMap(([, spec]) => {
      const base = path.normalize(path.join(path.dirname(file), spec!));
      return [`${base}.ts`, path.join(base, 'index.ts')].filter((candidate) => files.has(candidate)).slice(0, 1);
    });
    return [file, targets];
  }),
);

/** Every cycle's files, found by a depth-first search that reports a back edge's loop. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    trail.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(trail.slice(trail.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    trail.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const importsFrom = (from: string, to: string) =>
  [...graph].flatMap(([file, targets]) => (file.startsWith(from) ? targets.filter((t) => t.startsWith(to)).map((t) => `${file} -> ${t}`) : []));

test('the graph is read: it knows the construct and what it imports', () => {
  expect(graph.get(path.join('infra', 'constructs', 'oidc-authorizer.ts'))).toContain(path.join('lambda', 'authorizer', 'settings-file.ts'));
});

test('no import cycles among the project’s own files', () => {
  expect(cycles()).toEqual([]);
});

test.each([
  ['local/', 'infra/'],
  ['local/template/', 'local/gateway/'],
  ['scripts/', 'test/'],
  ['lambda/', 'infra/'],
  ['lambda/', 'local/'],
])('nothing under %s imports from %s', (from, to) => {
  expect(importsFrom(from, to)).toEqual([]);
});
