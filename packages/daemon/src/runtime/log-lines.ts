export interface LogRecord {
  stream: 'stdout' | 'stderr';
  time: Date;
  /** The record's RFC3339Nano timestamp as conmon wrote it (nanosecond precision for `docker logs -t`). */
  timestamp: string;
  /** The line continues in the next record of the same stream (conmon's `P`). */
  partial: boolean;
  /** The bytes, with the line's `\n` restored for complete lines. */
  data: Buffer;
}

/** The records a walk keeps: those within `since`/`until`; it ends at the first record after `until`. */
export interface LogTimeRange {
  since?: Date;
  until?: Date;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
const FLAG_PARTIAL = 0x50;
const FLAG_FULL = 0x46;
const STDOUT = Buffer.from('stdout');
const STDERR = Buffer.from('stderr');

/** The last timestamp parsed: conmon stamps every line of one read with the same time. */
let lastTimestampBytes = Buffer.alloc(0);
let lastTimestamp = '';
let lastTime = new Date(0);

/**
 * Complete k8s-file lines (`<RFC3339Nano> <stdout|stderr> <P|F> <bytes>\n`) as read from a log, walked
 * record by record through this one cursor: logs can be gigabytes, and an object per line made reading
 * them garbage-collector bound. Malformed lines are skipped.
 */
export class LogLines {
  stream: LogRecord['stream'] = 'stdout';
  partial = false;
  time = lastTime;
  timestamp = '';
  /** Where the current record's line starts in `buffer`. */
  lineStart = 0;
  /** The current record's bytes are `buffer[contentStart, contentEnd)`, a complete line's `\n` included. */
  contentStart = 0;
  contentEnd = 0;
  /** The walk stopped at a record after `until`: nothing after it is wanted. */
  untilReached = false;
  private offset = 0;
  private readonly since: number;
  private readonly until: number;

  constructor(
    readonly buffer: Buffer,
    range: LogTimeRange = {},
  ) {
    this.since = range.since?.getTime() ?? -Infinity;
    this.until = range.until?.getTime() ?? Infinity;
  }

  /** Moves to the next record in range; false at the end of the buffer or past `until`. */
  next(): boolean {
    const { buffer } = this;
    for (;;) {
      if (this.untilReached) return false;
      const start = this.offset;
      const end = buffer.indexOf(NEWLINE, start);
      if (end < 0) {
        this.offset = buffer.length;
        return false;
      }
      this.offset = end + 1;
      if (!this.parse(start, end)) continue;
      const time = this.time.getTime();
      if (time > this.until) {
        this.untilReached = true;
        return false;
      }
      if (time >= this.since) return true;
    }
  }

  /** The current record's bytes, as a view of the buffer. */
  data(): Buffer {
    return this.buffer.subarray(this.contentStart, this.contentEnd);
  }

  record(): LogRecord {
    return { stream: this.stream, time: this.time, timestamp: this.timestamp, partial: this.partial, data: this.data() };
  }

  /** Parses the line in `buffer[start, end)`, where `buffer[end]` is its `\n`; false when it is malformed. */
  private parse(start: number, end: number): boolean {
    const { buffer } = this;
    const known = startsWithLastTimestamp(buffer, start, end);
    const first = known ? start + lastTimestampBytes.length : buffer.indexOf(SPACE, start);
    if (first < 0 || first >= end) return false;
    const second = first + 1 + STDOUT.length;
    if (second >= end || buffer[second] !== SPACE) return false;
    const stream = streamAt(buffer, first + 1);
    const flag = buffer[second + 1];
    if (!stream || (flag !== FLAG_PARTIAL && flag !== FLAG_FULL)) return false;
    // A record with empty content may lack the separator after its flag.
    const flagEnd = second + 2;
    if (flagEnd < end && buffer[flagEnd] !== SPACE) return false;
    if (!known) rememberTimestamp(buffer.subarray(start, first));
    if (Number.isNaN(lastTime.getTime())) return false;
    this.time = lastTime;
    this.timestamp = lastTimestamp;
    this.stream = stream;
    this.partial = flag === FLAG_PARTIAL;
    this.lineStart = start;
    this.contentStart = flagEnd < end ? flagEnd + 1 : end;
    this.contentEnd = this.partial ? end : end + 1;
    return true;
  }
}

function rememberTimestamp(bytes: Buffer): void {
  lastTimestampBytes = Buffer.from(bytes);
  lastTimestamp = lastTimestampBytes.toString('latin1');
  lastTime = new Date(lastTimestamp);
}

/**
 * Whether the line starts with the last timestamp and its space. Compared in JavaScript, from the end,
 * where timestamps differ first: a native compare per line cost more than the comparison itself.
 */
function startsWithLastTimestamp(buffer: Buffer, start: number, end: number): boolean {
  const length = lastTimestampBytes.length;
  if (length === 0 || start + length >= end || buffer[start + length] !== SPACE) return false;
  for (let i = length - 1; i >= 0; i--) if (buffer[start + i] !== lastTimestampBytes[i]) return false;
  return true;
}

function streamAt(buffer: Buffer, start: number): LogRecord['stream'] | null {
  let stdout = true;
  let stderr = true;
  for (let i = 0; i < STDOUT.length; i++) {
    const byte = buffer[start + i];
    stdout &&= byte === STDOUT[i];
    stderr &&= byte === STDERR[i];
  }
  return stdout ? 'stdout' : stderr ? 'stderr' : null;
}

/** Where the last `count` records of `lines` start (its length for none); `total` is countRecords(lines) when known. */
export function startOfLastRecords(lines: Buffer, count: number, total = countRecords(lines)): number {
  if (count <= 0) return lines.length;
  let skip = total - count;
  if (skip <= 0) return 0;
  const walk = new LogLines(lines);
  while (walk.next() && skip > 0) skip -= 1;
  return walk.lineStart;
}

/** How many well-formed records `lines` holds. */
export function countRecords(lines: Buffer): number {
  let count = 0;
  const walk = new LogLines(lines);
  while (walk.next()) count += 1;
  return count;
}
