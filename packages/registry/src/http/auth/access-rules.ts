import type { Access } from './access.js';

/** berth's per-repository rule: the actions `account` (or `*`, every user) has on the repositories `name` matches. */
export interface AccessRule {
  account: string;
  /** A repository name, `*` matching any run of characters (slashes included): `team/*`. */
  name: string;
  actions: string[];
}

/**
 * What each user may do when rules are configured: the union of the actions of every rule that names
 * the user (or `*`) and matches the repository; nothing else. The catalog is every user's.
 */
export class AccessRules {
  private readonly rules: (AccessRule & { pattern: RegExp })[];

  constructor(rules: AccessRule[]) {
    this.rules = rules.map((rule) => ({ ...rule, pattern: new RegExp(`^${rule.name.split('*').map(escapeRegExp).join('.*')}$`) }));
  }

  grants(user: string, { type, name, action }: Access): boolean {
    if (type === 'registry' && name === 'catalog') return true;
    return type === 'repository' && this.rules.some((rule) => (rule.account === '*' || rule.account === user) && rule.pattern.test(name) && (rule.actions.includes('*') || rule.actions.includes(action)));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
