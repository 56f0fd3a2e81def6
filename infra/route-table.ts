// The example app's routes (infra/routes.ts): checks the construct cannot make, and stable construct IDs.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ContextError } from './config';
import type { RouteDeclaration } from './routes';

/** A route declared twice would fail deep in CDK with a duplicate construct id: say which one, in the file's terms. */
export function checkRouteDeclarations(routes: readonly RouteDeclaration[]): void {
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new ContextError('routes', `infra/routes.ts: route ${key} is declared twice`);
    seen.add(key);
  }
}

/**
 * A route whose handler folder has no index.ts would fail deep in CDK (CannotFindAsset, with a stack trace):
 * say which route, and what file to create. `lambdaDir` holds the handler folders.
 */
export function checkRouteHandlers(routes: readonly RouteDeclaration[], lambdaDir: string): void {
  for (const route of routes) {
    if (!existsSync(path.join(lambdaDir, route.handler, 'index.ts'))) {
      throw new ContextError('routes', `infra/routes.ts: route ${route.method} ${route.path} has no handler: create lambda/${route.handler}/index.ts exporting handler`);
    }
  }
}

/** A construct ID derived from method and path (GET /profile -> GetProfile, GET / -> GetRoot), stable across edits to other routes. */
export function routeConstructId(route: Pick<RouteDeclaration, 'method' | 'path'>): string {
  const words = [route.method, ...route.path.split('/')].flatMap((part) => part.split(/[^A-Za-z0-9]+/)).filter(Boolean);
  const id = words.map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('');
  return route.path === '/' ? `${id}Root` : id;
}
