import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';

/**
 * The request body as a stream of its own. A consumer that fails part-way (a full disk under a load, a
 * build context or an import) destroys its input; were that the request, the connection would go with it
 * and the client, still uploading, would see a broken pipe instead of the error. Destroying this stream
 * only discards the rest of the request, whose end `drainRequest` awaits before the error is sent.
 *
 * Once `response` is sent, whatever of the body is left is discarded here, whichever way the route ended:
 * piping marks the request as read, so Node no longer discards it itself, and with no request timeout a
 * route that answered without reading (a 404 before an upload) would hold the connection until the client
 * closed it.
 */
export function requestBody(raw: IncomingMessage, response: ServerResponse): Readable {
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
  const answered = (): void => {
    if (!raw.readableEnded) body.destroy(new Error('the response was sent before the upload ended'));
  };
  // Only a response sent in full: one cut short is a client gone, which `gone` reports.
  response.once('finish', answered);
  body.once('close', () => {
    response.off('finish', answered);
    if (raw.readableEnded) return;
    raw.unpipe(body);
    raw.resume();
  });
  return body;
}
