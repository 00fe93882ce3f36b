/** The registry's `auth` section: the Go registry's htpasswd and token schemes, plus berth's own keys. */
export type AuthConfig =
  | { scheme: 'htpasswd'; realm: string; path: string; anonymousPull: boolean }
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
      /** berth: serve a token issuer at `/auth/token` for the users of this htpasswd file. */
      issuerHtpasswd?: string;
      /** berth: the PEM private key the issuer signs with (the secret when absent). */
      signingKey?: string;
    };

type Node = Record<string, unknown>;

// Per scheme, the keys read: Go's, then berth's (which a Go registry ignores, as it passes them to the scheme).
const KEYS = {
  htpasswd: ['realm', 'path', 'anonymouspull'],
  token: ['realm', 'service', 'issuer', 'rootcertbundle', 'secretfile', 'anonymouspull', 'htpasswd', 'signingkey'],
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
  const warnings = Object.keys(options).filter((name) => !KEYS[scheme].includes(name)).map(key);
  if (scheme === 'htpasswd') return { auth: { scheme, realm: text('realm', true)!, path: text('path', true)!, anonymousPull }, warnings };
  const auth: AuthConfig = {
    scheme,
    realm: text('realm', true)!,
    service: text('service', true)!,
    issuer: text('issuer', true)!,
    rootCertBundle: text('rootcertbundle', false),
    secretFile: text('secretfile', false),
    anonymousPull,
    issuerHtpasswd: text('htpasswd', false),
    signingKey: text('signingkey', false),
  };
  if (!auth.rootCertBundle && !auth.secretFile) throw fail(`${key('rootcertbundle')}: must be set (or ${key('secretfile')})`);
  if (auth.issuerHtpasswd && !auth.signingKey && !auth.secretFile) throw fail(`${key('signingkey')}: must be set for the token issuer (or ${key('secretfile')})`);
  if (auth.signingKey && !auth.issuerHtpasswd) throw fail(`${key('htpasswd')}: must be set when ${key('signingkey')} is`);
  return { auth, warnings };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
