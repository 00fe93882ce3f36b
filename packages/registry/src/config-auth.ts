import { isNode } from './config-http.js';
import type { AccessRule } from './http/auth/access-rules.js';

/** The registry's `auth` section: the Go registry's htpasswd and token schemes, plus berth's own keys. */
export type AuthConfig =
  | { scheme: 'htpasswd'; realm: string; path: string; anonymousPull: boolean; access?: AccessRule[] }
  | {
      scheme: 'token';
      realm: string;
      service: string;
      issuer: string;
      /** Go's key: PEM certificates or public keys that may sign tokens. */
      rootCertBundle?: string;
      /** berth: a file holding an HMAC secret (HS256) tokens are signed with. */
      secretFile?: string;
      anonymousPull: boolean;
      /** berth: what the token issuer may grant each user; everything asked for when absent. */
      access?: AccessRule[];
      /** berth: serve a token issuer at `/auth/token` for the users of this htpasswd file. */
      issuerHtpasswd?: string;
      /** berth: the PEM private key the issuer signs with (the secret when absent). */
      signingKey?: string;
    };

// Per scheme, the keys read: Go's, then berth's (which a Go registry ignores, as it passes them to the scheme).
const ACTIONS = ['pull', 'push', 'delete', '*'];
const KEYS = {
  htpasswd: ['realm', 'path', 'anonymouspull', 'access'],
  token: ['realm', 'service', 'issuer', 'rootcertbundle', 'secretfile', 'anonymouspull', 'access', 'htpasswd', 'signingkey'],
};

/**
 * `auth.<scheme>`: exactly one scheme, as Go requires; `none` is no auth. Throws a message naming the
 * key for a missing or wrong one; other keys of a scheme are warnings.
 */
export function parseAuthConfig(value: unknown, fail: (message: string) => Error): { auth?: AuthConfig; warnings: string[] } {
  if (value === undefined || value === null) return { warnings: [] };
  if (!isNode(value)) throw fail('auth: must be a mapping');
  const schemes = Object.keys(value);
  if (schemes.length !== 1) throw fail(`auth: exactly one scheme must be given, got ${schemes.length}`);
  const scheme = schemes[0]!;
  if (scheme === 'none') return { warnings: [] };
  if (scheme !== 'htpasswd' && scheme !== 'token') throw fail(`auth.${scheme}: only the htpasswd and token schemes are supported`);
  const options = value[scheme] ?? {};
  if (!isNode(options)) throw fail(`auth.${scheme}: must be a mapping`);
  const key = (name: string) => `auth.${scheme}.${name}`;
  const text = (name: string, required: boolean): string | undefined => {
    const option = options[name];
    if (option === undefined && !required) return undefined;
    if (typeof option !== 'string' || option === '') throw fail(`${key(name)}: must be set to a string`);
    return option;
  };
  const anonymousPull = options.anonymouspull ?? false;
  if (typeof anonymousPull !== 'boolean') throw fail(`${key('anonymouspull')}: must be true or false`);
  const access = options.access === undefined ? undefined : parseAccessRules(options.access, key('access'), fail);
  const warnings = Object.keys(options).filter((name) => !KEYS[scheme].includes(name)).map(key);
  if (scheme === 'htpasswd') return { auth: { scheme, realm: text('realm', true)!, path: text('path', true)!, anonymousPull, ...(access && { access }) }, warnings };
  const auth: AuthConfig = {
    scheme,
    realm: text('realm', true)!,
    service: text('service', true)!,
    issuer: text('issuer', true)!,
    rootCertBundle: text('rootcertbundle', false),
    secretFile: text('secretfile', false),
    anonymousPull,
    ...(access && { access }),
    issuerHtpasswd: text('htpasswd', false),
    signingKey: text('signingkey', false),
  };
  if (!auth.rootCertBundle && !auth.secretFile) throw fail(`${key('rootcertbundle')}: must be set (or ${key('secretfile')})`);
  if (auth.issuerHtpasswd && !auth.signingKey && !auth.secretFile) throw fail(`${key('signingkey')}: must be set for the token issuer (or ${key('secretfile')})`);
  if (auth.access && !auth.issuerHtpasswd) throw fail(`${key('access')}: only the token issuer (${key('htpasswd')}) applies access rules`);
  if (auth.signingKey && !auth.issuerHtpasswd) throw fail(`${key('htpasswd')}: must be set when ${key('signingkey')} is`);
  return { auth, warnings };
}

/** `[{account, name, actions}]`: a user (or `*`), a repository name (`*` a wildcard), the actions granted. */
function parseAccessRules(value: unknown, key: string, fail: (message: string) => Error): AccessRule[] {
  if (!Array.isArray(value)) throw fail(`${key}: must be a list of {account, name, actions}`);
  return value.map((rule: unknown, index) => {
    const at = `${key}[${index}]`;
    if (!isNode(rule)) throw fail(`${at}: must be a mapping of account, name and actions`);
    const { account, name, actions } = rule;
    if (typeof account !== 'string' || account === '') throw fail(`${at}.account: must be a user name or *`);
    if (typeof name !== 'string' || name === '') throw fail(`${at}.name: must be a repository name (* matches any characters)`);
    if (!Array.isArray(actions) || !actions.every((action) => ACTIONS.includes(action as string))) throw fail(`${at}.actions: must be a list of ${ACTIONS.join(', ')}`);
    return { account, name, actions: actions as string[] };
  });
}
