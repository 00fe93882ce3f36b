/** BuildKit's `util/suggest`: a message gains `(did you mean x?)` when an option is within edit distance 2. */
export function suggest(message: string, value: string, options: string[], caseSensitive: boolean): string {
  const wanted = caseSensitive ? value : value.toLowerCase();
  let match = '';
  let best = 3;
  for (const option of options) {
    const candidate = caseSensitive ? option : option.toLowerCase();
    if (candidate === wanted) return message;
    const distance = levenshtein(wanted, candidate);
    if (distance < best) {
      match = caseSensitive ? candidate : matchCase(candidate, value);
      best = distance;
    }
  }
  return match ? `${message} (did you mean ${match}?)` : message;
}

function matchCase(candidate: string, original: string): string {
  if (original === original.toLowerCase()) return candidate.toLowerCase();
  if (original === original.toUpperCase()) return candidate.toUpperCase();
  return candidate;
}

function levenshtein(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[y.length]!;
}
