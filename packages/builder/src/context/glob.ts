/**
 * Go's `filepath.Match` on `/`-separated paths, which moby's COPY uses for wildcard sources: `*` and `?`
 * never match `/`, `[...]` classes (`^` negates, `a-z` ranges) and `\` escapes. A malformed pattern
 * matches nothing (moby ignores Match's error).
 */
type Token =
  | { kind: 'star' }
  | { kind: 'any' }
  | { kind: 'literal'; char: string }
  | { kind: 'class'; negated: boolean; ranges: [string, string][] };

/** True when `name` has a character Match treats specially (moby's containsWildcards). */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '\\') i++;
    else if (name[i] === '*' || name[i] === '?' || name[i] === '[') return true;
  }
  return false;
}

/** One escaped-or-plain character of a class; undefined when the pattern is malformed there. */
function classChar(chars: string[], at: number): [string, number] | undefined {
  let char = chars[at];
  if (char === undefined || char === '-' || char === ']') return undefined;
  if (char === '\\') {
    char = chars[at + 1];
    if (char === undefined) return undefined;
    return [char, at + 2];
  }
  return [char, at + 1];
}

function parseClass(chars: string[], start: number): [Token, number] | undefined {
  let at = start;
  const negated = chars[at] === '^';
  if (negated) at++;
  const ranges: [string, string][] = [];
  for (;;) {
    if (chars[at] === ']' && ranges.length > 0) return [{ kind: 'class', negated, ranges }, at + 1];
    const low = classChar(chars, at);
    if (low === undefined) return undefined;
    let high = low;
    if (chars[low[1]] === '-') {
      const parsed = classChar(chars, low[1] + 1);
      if (parsed === undefined) return undefined;
      high = parsed;
    }
    ranges.push([low[0], high[0]]);
    at = high[1];
  }
}

function tokenize(pattern: string): Token[] | undefined {
  const chars = [...pattern];
  const tokens: Token[] = [];
  let at = 0;
  while (at < chars.length) {
    const char = chars[at];
    if (char === '*') {
      tokens.push({ kind: 'star' });
      at++;
    } else if (char === '?') {
      tokens.push({ kind: 'any' });
      at++;
    } else if (char === '[') {
      const parsed = parseClass(chars, at + 1);
      if (parsed === undefined) return undefined;
      tokens.push(parsed[0]);
      at = parsed[1];
    } else if (char === '\\') {
      if (at + 1 >= chars.length) return undefined;
      tokens.push({ kind: 'literal', char: chars[at + 1] });
      at += 2;
    } else {
      tokens.push({ kind: 'literal', char });
      at++;
    }
  }
  return tokens;
}

function matchesOne(token: Token, char: string): boolean {
  switch (token.kind) {
    case 'any':
      return char !== '/';
    case 'literal':
      return token.char === char;
    case 'class': {
      const inside = token.ranges.some(([low, high]) => low <= char && char <= high);
      return inside !== token.negated;
    }
    case 'star':
      return false;
  }
}

export function globMatch(pattern: string, name: string): boolean {
  const tokens = tokenize(pattern);
  if (tokens === undefined) return false;
  const chars = [...name];
  // Memoised over (token, position): a pattern of many stars stays polynomial.
  const seen = new Uint8Array((tokens.length + 1) * (chars.length + 1));
  const match = (t: number, n: number): boolean => {
    const key = t * (chars.length + 1) + n;
    if (seen[key] !== 0) return seen[key] === 2;
    let result: boolean;
    if (t === tokens.length) result = n === chars.length;
    else if (tokens[t].kind === 'star') result = match(t + 1, n) || (n < chars.length && chars[n] !== '/' && match(t, n + 1));
    else result = n < chars.length && matchesOne(tokens[t], chars[n]) && match(t + 1, n + 1);
    seen[key] = result ? 2 : 1;
    return result;
  };
  return match(0, 0);
}
