import { connect } from 'node:net';

/**
 * How a raw request ended: an answer's head came; the server closed without one; it closed while the request
 * was still being written; or neither before the deadline. HTTP lets a server answer and close before reading
 * a body, and node destroys a socket whose write failed (net.Socket always auto-destroys), so an answer that
 * had not been read by then is lost with it: the caller judges "closed-while-writing" by the request's size.
 */
export type Outcome = 'answered' | 'closed' | 'closed-while-writing' | 'hung';

export interface RawAnswer {
  outcome: Outcome;
  status: number;
  head: string;
  /** An error answer's body, or with `wholeBody` any answer's that states its length (a stream's is not waited for). */
  body: string;
  /** The socket error that ended the exchange, if one did. */
  error?: string;
}

export interface RawExchangeOptions {
  deadlineMs: number;
  /** End the client's side once written, as a client whose body falls short of its Content-Length and then stops would. */
  halfClose?: boolean;
  /** The request is a HEAD: its answer has no body whatever its Content-Length says. */
  isHead?: boolean;
  /** Wait for a success's body too, when its Content-Length announces one. */
  wholeBody?: boolean;
}

/**
 * Writes `request` (as written: no client normalises it) on a fresh connection to a unix socket and waits for
 * the answer's head, and for an error answer's body, at most `deadlineMs`. A server that neither answers nor
 * closes by then leaves the request "hung". The connection is always destroyed at the end.
 */
export function rawExchange(socketPath: string, request: Buffer | string, options: RawExchangeOptions): Promise<RawAnswer> {
  const { deadlineMs, halfClose = false, isHead = false, wholeBody = false } = options;
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let received = Buffer.alloc(0);
    let settled = false;
    let error: string | undefined;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome, ...parse(received), ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => finish(parse(received).status ? 'answered' : 'hung'), deadlineMs);
    let writing = true;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
      finish(parse(received).status ? 'answered' : writing ? 'closed-while-writing' : 'closed');
    });
    socket.on('close', () => finish(parse(received).status ? 'answered' : 'closed'));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parse(received);
      if (!answer.status) return;
      const length = /^content-length:\s*(\d+)\s*$/im.exec(answer.head)?.[1];
      // Unless asked, only an error's body is read: a success may be an endless stream (events, logs, attach).
      const bodyDone = (answer.status < 400 && !wholeBody) || isHead || length === undefined || Buffer.byteLength(answer.body, 'latin1') >= Number(length);
      if (bodyDone) finish('answered');
    });
    socket.on('connect', () => {
      // The callback also runs on a failed write (EPIPE: the server answered and closed before reading it all).
      socket.write(request, (err) => {
        if (!err) writing = false;
      });
      if (halfClose) socket.end();
    });
  });
}

function parse(received: Buffer): { status: number; head: string; body: string } {
  let text = received.toString('latin1');
  // Interim answers (100 Continue) precede the real one; 101 is the real one of a hijack.
  while (/^HTTP\/1\.[01] 1(?!01)\d\d /.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return { status: 0, head: text, body: '' };
  const head = text.slice(0, split);
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body: text.slice(split + 4) };
}
