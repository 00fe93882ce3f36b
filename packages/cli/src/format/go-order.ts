/** Go's string order (byte by byte), which its sorts, map-key printing and encoding/json use; not the locale's. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An object's entries in Go's map-key order. */
export function sortedEntries<T>(value: Record<string, T>): [string, T][] {
  return Object.entries(value).sort(([a], [b]) => byteOrder(a, b));
}
