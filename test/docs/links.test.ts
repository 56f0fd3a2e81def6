// README.md links into docs/ and bench/README.md, and they link back: every relative link and #anchor among them
// must resolve as GitHub renders it, and every docs/ page must be reachable from README.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const PAGES = ['README.md', 'bench/README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The text outside fenced code blocks, where headings and links live. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, text] of prose(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const plain = text!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
    const slug = plain.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Relative link targets (path and/or #anchor) outside code, as written. */
function links(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** What is wrong with each relative link of a page (empty when all resolve). */
function broken(page: string, read: (file: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const target of links(read(page) ?? '')) {
    const [file, anchor] = target.split('#') as [string, string | undefined];
    const resolved = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
    const content = read(resolved);
    if (content === undefined) problems.push(`${page}: ${target}: no file ${resolved}`);
    else if (anchor !== undefined && !anchors(content).has(anchor)) problems.push(`${page}: ${target}: no heading #${anchor} in ${resolved}`);
  }
  return problems;
}

const readRepo = (file: string): string | undefined => {
  const full = path.join(ROOT, file);
  if (!existsSync(full)) return undefined;
  return file.endsWith('.md') ? readFileSync(full, 'utf8') : '';
};

test('anchors follow GitHub’s slugs', () => {
  const md = "# Run-time (the authorizer's environment)\n## The edit loop: `npm start -- --watch`\n```sh\n# not a heading\n```\n### Keys\n### Keys\n## [Routes](x.md) and `ROUTE_AUTH`\n";
  expect([...anchors(md)]).toEqual(['run-time-the-authorizers-environment', 'the-edit-loop-npm-start------watch', 'keys', 'keys-1', 'routes-and-route_auth']);
});

test('links are found outside code only, across line breaks, and URLs with a scheme are left alone', () => {
  const md = 'See [the\nkeys](docs/security.md#keys), [AWS](https://aws.amazon.com/) and `[x](nowhere.md)`.\n```\n[y](nowhere.md)\n```\n';
  expect(links(md)).toEqual(['docs/security.md#keys']);
});

test('a missing file or heading is reported', () => {
  const files: Record<string, string> = { 'README.md': '[a](docs/a.md#there) [b](docs/b.md) [c](#nope) [d](docs/a.md#gone)', 'docs/a.md': '# There\n' };
  expect(broken('README.md', (f) => files[f])).toEqual([
    'README.md: docs/b.md: no file docs/b.md',
    'README.md: #nope: no heading #nope in README.md',
    'README.md: docs/a.md#gone: no heading #gone in docs/a.md',
  ]);
});

test.each(PAGES)('every relative link and anchor in %s resolves', (page) => {
  expect(broken(page, readRepo)).toEqual([]);
});

test('README links every docs/ page and bench/README.md', () => {
  const linked = new Set(links(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).map((t) => t.split('#')[0]));
  expect(PAGES.filter((p) => p !== 'README.md' && !linked.has(p))).toEqual([]);
});
