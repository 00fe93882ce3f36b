/** One challenge of a `WWW-Authenticate` header: its scheme (lower case) and its parameters. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

// A token, or a token followed by `=` and a token or a quoted string (RFC 9110 §11.2).
const ITEM = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?\s*(?:,|$)/y;

/**
 * The challenges of a `WWW-Authenticate` header, e.g. `Bearer realm="https://auth",service="r",scope="…"`.
 * A bare token starts a new challenge; `key=value` items are the current one's parameters.
 */
export function parseChallenges(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let rest = header;
  while (rest.trim() !== '') {
    const scheme = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+|$)/.exec(rest);
    if (!scheme) break;
    const challenge: AuthChallenge = { scheme: scheme[1]!.toLowerCase(), params: {} };
    challenges.push(challenge);
    rest = rest.slice(scheme[0].length);
    for (;;) {
      ITEM.lastIndex = 0;
      const item = ITEM.exec(rest);
      // A token without `=` is the next challenge's scheme.
      if (!item || item[0] === '' || (item[2] === undefined && item[3] === undefined)) break;
      challenge.params[item[1]!.toLowerCase()] = item[2] !== undefined ? item[2].replace(/\\(.)/g, '$1') : item[3]!;
      rest = rest.slice(item[0].length);
    }
  }
  return challenges;
}
