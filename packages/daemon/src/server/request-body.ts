import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';

/**
 * The request body as a stream of its own. A consumer that fails part-way (a full disk under a load, a
 * build context or an import) destroys its input; were that the request, the connection would go with it
 * and the client, still uploading, would see a broken pipe instead of the error. Destroying this stream
 * only discards the rest of the request, whose end `drainRequest` awaits before the error is sent.
 */
export function requestBody(raw: IncomingMessage): Readable {
  const body = new PassThrough();
  // A route that failed before reading the body leaves it without a consumer: its error is nobody's.
  body.on('error', () => undefined);
  raw.pipe(body);
  // A client that leaves mid-upload ends the body with an error, not with a silent stall.
  const gone = (): void => {
    if (!raw.readableEnded) body.destroy(new Error('the client went away during the upload'));
  };
  raw.once('close', gone);
  raw.on('error', gone);
  body.once('close', () => {
    if (raw.readableEnded) return;
    raw.unpipe(body);
    raw.resume();
  });
  return body;
}
