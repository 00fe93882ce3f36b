import type { FastifyReply } from 'fastify';
import { httpStatusOf, progressLine, type ProgressMessage } from '@berth/api';
import { COMMON_HEADERS } from './headers.js';

/**
 * Docker's JSON-lines progress response (load), begun by its first message: until then a failure is an
 * ordinary error response with its status; after it, the stream ends with an error message, as
 * Docker's does.
 */
export class ProgressResponse {
  private started = false;
  private readonly gone = new AbortController();

  constructor(private readonly reply: FastifyReply) {
    // The connection closing before the response ended: the client went away.
    reply.raw.once('close', () => {
      if (!reply.raw.writableEnded) this.gone.abort(new Error('the client went away'));
    });
  }

  /** Aborted when the client goes away before the response ends. */
  get signal(): AbortSignal {
    return this.gone.signal;
  }

  get hasStarted(): boolean {
    return this.started;
  }

  write(message: ProgressMessage): void {
    this.start();
    this.reply.raw.write(progressLine(message));
  }

  /** Ends the stream, with the failure as its last message when there is one. */
  end(err?: unknown): void {
    // A client that went away hears nothing more, and its leaving is no server error.
    if (err !== undefined && !this.gone.signal.aborted) {
      if (httpStatusOf(err) >= 500) this.reply.log.error({ err }, 'request failed after its response began');
      const message = (err as Error).message;
      // A failed build step's exit code (moby's JSONError code), which the docker CLI exits with.
      const code = (err as { code?: unknown }).code;
      this.write({ errorDetail: { ...(typeof code === 'number' ? { code } : {}), message }, error: message });
    }
    this.start();
    this.reply.raw.end();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.reply.hijack();
    // Exactly "application/json" (no charset): the docker CLI renders progress only for that value.
    this.reply.raw.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
  }
}
