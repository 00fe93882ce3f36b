/** A list repeats the key (`names=a&names=b`), as Go's url.Values does. */
export type QueryValue = string | number | boolean | undefined | string[];

/** A query as the client builds it for a route: the parameter names of its `@berth/api` query schema, values before encoding. */
export type QueryOf<Query> = { [Name in keyof Query]?: QueryValue };

/** Builds a query string the way the docker client does: `true` as "1", `false`/unset omitted. */
export function queryString(params: Record<string, QueryValue> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === false) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, item);
    else search.set(key, value === true ? '1' : String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Escapes one path parameter but keeps the characters image references use (`/`, `:`, `@`). */
export function pathParam(value: string): string {
  return encodeURIComponent(value).replace(/%(2F|3A|40)/gi, (escaped) => decodeURIComponent(escaped));
}

/** A `filters` parameter: the JSON of the filters, omitted when there are none. */
export function filtersParam(filters: Record<string, string[]> = {}): string | undefined {
  return Object.keys(filters).length ? JSON.stringify(filters) : undefined;
}
