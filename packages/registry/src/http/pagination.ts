import { RegistryHttpError } from './error-body.js';

export interface Page {
  items: string[];
  /** The `Link` header value for the next page, when there is one. */
  link?: string;
}

/**
 * `n` and `last` as the spec reads them on tags and catalog: the sorted entries after `last`, at most
 * `n` of them, and a `Link: <path?last=…&n=…>; rel="next"` when more remain.
 */
export function paginate(sorted: string[], path: string, query: { n?: string; last?: string }): Page {
  const after = query.last === undefined ? sorted : sorted.filter((item) => item > query.last!);
  if (query.n === undefined || query.n === '') return { items: after };
  if (!/^\d+$/.test(query.n)) throw new RegistryHttpError(400, 'PAGINATION_NUMBER_INVALID', 'invalid number of results requested', { n: query.n });
  const n = Number(query.n);
  const items = after.slice(0, n);
  if (items.length === 0 || after.length <= n) return { items };
  const next = new URLSearchParams({ last: items.at(-1)!, n: String(n) });
  return { items, link: `<${path}?${next.toString()}>; rel="next"` };
}
