/** Go's time.Time.String for an RFC 3339 UTC time: "2026-12-06 12:40:55.000897839 +0000 UTC". */
export function goTime(rfc3339: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$/.exec(rfc3339);
  if (!match) return rfc3339;
  const time = match[2]!.includes('.') ? match[2]!.replace(/\.?0+$/, '') : match[2]!;
  return `${match[1]} ${time} +0000 UTC`;
}

/**
 * A time.Time field as docker's templates see it: printed with Go's String, while `{{json}}` and the plain
 * inspect output keep the RFC 3339 text the daemon sent.
 */
export class GoTime {
  constructor(private readonly rfc3339: string) {}

  toJSON(): string {
    return this.rfc3339;
  }

  toString(): string {
    return goTime(this.rfc3339);
  }
}
