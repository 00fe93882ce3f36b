/** Go's time.RFC3339Nano of a UTC time, as Docker's JSON carries times: no trailing zeros in the fraction. */
export function rfc3339Nano(date: Date): string {
  return date.toISOString().replace(/\.?0+Z$/, 'Z');
}
