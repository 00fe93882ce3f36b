import type { RegistryPath } from '../route-path.js';

/** One action on one resource, as the Go registry's `auth.Access` (`repository:<name>:pull`). */
export interface Access {
  type: string;
  name: string;
  action: string;
}

/**
 * What a request needs, mapped as the Go registry does: GET/HEAD pull, POST/PUT/PATCH pull and push,
 * DELETE delete; a mount also pulls from its `from`; the catalog needs `registry:catalog:*`; `/v2/`
 * needs nothing but authentication.
 */
export function requiredAccess(method: string, path: RegistryPath, query: Record<string, string | undefined>): Access[] {
  if (path.kind === 'catalog') return [{ type: 'registry', name: 'catalog', action: '*' }];
  if (!('name' in path)) return [];
  const access = repositoryAccess(method, path.name);
  if (path.kind === 'uploads' && query.from !== undefined) access.push(...repositoryAccess('GET', query.from));
  return access;
}

function repositoryAccess(method: string, name: string): Access[] {
  const actions = method === 'GET' || method === 'HEAD' ? ['pull'] : method === 'DELETE' ? ['delete'] : ['pull', 'push'];
  return actions.map((action) => ({ type: 'repository', name, action }));
}

/** The `scope` parameter of a Bearer challenge: `type:name:a,b` per resource, space-separated. */
export function scopeParam(access: Access[]): string {
  const resources = new Map<string, Set<string>>();
  for (const { type, name, action } of access) {
    const key = `${type}:${name}`;
    resources.set(key, (resources.get(key) ?? new Set()).add(action));
  }
  return [...resources].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`).join(' ');
}

/** `repository:a/b:pull,push` (the token endpoint's `scope`); undefined when it is not one. */
export function parseScope(scope: string): Access[] | undefined {
  // The name may hold a `:port` of a registry host, so the type is before the first colon and the actions after the last.
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  return scope.slice(last + 1).split(',').filter(Boolean).map((action) => ({ type, name, action }));
}

/** The JWT `access` claim: one entry per resource with its actions. */
export interface AccessClaimEntry {
  type: string;
  name: string;
  actions: string[];
}

export function toAccessClaim(access: Access[]): AccessClaimEntry[] {
  const entries = new Map<string, AccessClaimEntry>();
  for (const { type, name, action } of access) {
    const key = `${type}:${name}`;
    const entry = entries.get(key) ?? { type, name, actions: [] };
    if (!entry.actions.includes(action)) entry.actions.push(action);
    entries.set(key, entry);
  }
  return [...entries.values()];
}

/** Whether a token's `access` claim grants `wanted`; `*` grants every action, as Go's actionSet does. */
export function claimGrants(claim: AccessClaimEntry[], wanted: Access): boolean {
  return claim.some(({ type, name, actions }) => type === wanted.type && name === wanted.name && (actions.includes('*') || actions.includes(wanted.action)));
}
