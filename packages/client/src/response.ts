import type { IncomingMessage } from 'node:http';
import { MULTIPLEXED_STREAM_CONTENT_TYPE, RAW_STREAM_CONTENT_TYPE } from '@berth/api';
import { daemonError } from './daemon-errors.js';

export async function readBody(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Turns an error response into the typed error for its status, with the daemon's message. */
export async function errorFromResponse(response: IncomingMessage): Promise<Error> {
  const status = response.statusCode ?? 500;
  const text = (await readBody(response)).toString('utf8').trim();
  return daemonError(status, messageOf(text) || `request returned ${status} ${response.statusMessage ?? ''}`.trim());
}

function messageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: some proxies and old daemons answer in plain text.
  }
  return body;
}

/** Like the docker client, 1xx–3xx are successes: 304 means "already in that state". */
export function isErrorStatus(status: number | undefined): boolean {
  return status === undefined || status >= 400;
}

/** Whether container output carries stdcopy frames: as its content type says, else (no type given) unless there is a TTY. */
export function isMultiplexed(response: IncomingMessage, tty: boolean | undefined): boolean {
  const type = response.headers['content-type'];
  return type === MULTIPLEXED_STREAM_CONTENT_TYPE || (type !== RAW_STREAM_CONTENT_TYPE && !tty);
}
