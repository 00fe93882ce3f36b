import type { FastifyServerOptions } from 'fastify';
import type { LogConfig } from '../config-ops.js';
import type { RequestObserver } from './request-observer.js';

type Record = { [key: string]: unknown };

const DEFAULT_LOG: LogConfig = { level: 'info', formatter: 'json', fields: {}, accessLog: true };

/** One line: JSON, or `key=value` pairs (logfmt, as Go's text formatter writes) for `formatter: text`. */
export function formatLine(record: Record, formatter: LogConfig['formatter']): string {
  if (formatter === 'json') return `${JSON.stringify(record)}\n`;
  const pairs = Object.entries(record).map(([key, value]) => `${key}=${textValue(value)}`);
  return `${pairs.join(' ')}\n`;
}

function textValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/**
 * fastify's logger for `log`: the registry's own messages on stderr at `log.level`, with Go's level
 * names, ISO times and `log.fields` on every line.
 */
export function loggerOptions(log: LogConfig = DEFAULT_LOG): Exclude<FastifyServerOptions['logger'], boolean | undefined> {
  const stream = log.formatter === 'json' ? process.stderr : { write: (line: string) => process.stderr.write(formatLine(JSON.parse(line) as Record, 'text')) };
  return {
    level: log.level,
    base: { pid: process.pid, ...log.fields },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    // Level names as Go's logrus writes them: `warning`, not pino's `warn`.
    formatters: { level: (label: string) => ({ level: label === 'warn' ? 'warning' : label }) },
    stream,
  };
}

const LEVEL_ORDER: LogConfig['level'][] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * A line writer for the messages of the parts that start before the server (the proxy cache, upload
 * purging): info lines shaped as the logger's, on stderr, unless `log.level` is above info.
 */
export function messageLog(log: LogConfig = DEFAULT_LOG, write: (line: string) => void = (line) => process.stderr.write(line)): (message: string) => void {
  if (LEVEL_ORDER.indexOf(log.level) > LEVEL_ORDER.indexOf('info')) return () => undefined;
  return (message) => write(formatLine({ level: 'info', time: new Date().toISOString(), pid: process.pid, ...log.fields, msg: message }, log.formatter));
}

/** The access log: one line per request on stdout, whatever `log.level` (as Go's access log), unless disabled. */
export function accessLog(log: LogConfig = DEFAULT_LOG, write: (line: string) => void = (line) => process.stdout.write(line)): RequestObserver | undefined {
  if (!log.accessLog) return undefined;
  return {
    finished: (record) => write(formatLine({ time: new Date().toISOString(), level: 'info', msg: 'request', ...log.fields, ...record }, log.formatter)),
  };
}
