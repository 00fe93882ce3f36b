import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import {
  ContainerLogsQuerySchema,
  IdParamsSchema,
  InvalidArgumentError,
  NotImplementedError,
  MULTIPLEXED_STREAM_CONTENT_TYPE,
  RAW_STREAM_CONTENT_TYPE,
  StdStream,
  compareApiVersions,
  frameStdStream,
  type ContainerLogsQuery,
  type IdParams,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { readRotatedLog } from '../../container/log-files.js';
import { dockerLogTimestamp, parseLogTail, parseLogTimeBound } from '../../container/log-query.js';
import { splitVersionedUrl } from '../api-version.js';
import { COMMON_HEADERS } from '../headers.js';
import { queryBool } from '../query.js';
import { drainedOrClosed } from '../client-sink.js';

/** GET /containers/{id}/logs: the conmon log replayed (and followed) in Docker's stream framing. */
export function logRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    const logsSchema = { params: IdParamsSchema, querystring: ContainerLogsQuerySchema };
    app.get<{ Params: IdParams; Querystring: ContainerLogsQuery }>('/containers/:id/logs', { schema: logsSchema }, async (request, reply) => {
      const query = request.query;
      const container = engine.containers.inspect(request.params.id);
      const log = engine.containers.logOf(container.Id);
      if (log.settings.driver === 'none') throw new NotImplementedError('configured logging driver does not support reading');
      const wantStdout = queryBool(query.stdout);
      const wantStderr = queryBool(query.stderr);
      if (!wantStdout && !wantStderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
      const since = parseLogTimeBound(query.since, 'since');
      const until = parseLogTimeBound(query.until, 'until');
      const tail = parseLogTail(query.tail);
      const timestamps = queryBool(query.timestamps);
      const follow = queryBool(query.follow) && container.State.Running;
      const tty = container.Config.Tty ?? false;
      const apiVersion = splitVersionedUrl(request.originalUrl).version;
      const contentType = !tty && compareApiVersions(apiVersion, '1.42') >= 0 ? MULTIPLEXED_STREAM_CONTENT_TYPE : RAW_STREAM_CONTENT_TYPE;

      const abort = new AbortController();
      // Bound to the client: a follower that leaves drops its wait too.
      const exited = follow ? engine.containers.wait(container.Id, 'not-running', abort.signal).catch(() => undefined) : undefined;
      reply.hijack();
      const res = reply.raw;
      res.on('close', () => abort.abort());
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': contentType });
      res.flushHeaders();
      const out = new FrameWriter(res, tty);
      // A line split over several records gets one timestamp, at its start.
      const midLine = { stdout: false, stderr: false };
      try {
        const batches = readRotatedLog(log.path, log.settings.maxFile, { follow, since, until, tail, stopWhen: exited, signal: abort.signal });
        for await (const batch of batches) {
          for (const record of batch) {
            if (record.stream === 'stdout' ? !wantStdout : !wantStderr) continue;
            if (timestamps && !midLine[record.stream]) out.add(record.stream, Buffer.from(`${dockerLogTimestamp(record.timestamp, record.time)} `));
            midLine[record.stream] = record.partial;
            out.add(record.stream, record.data);
          }
          await out.flush();
        }
      } catch (err) {
        request.log.warn({ err }, 'reading container log failed');
      } finally {
        res.end();
      }
    });
  };
}

/** Gathers output into one write per batch, with one frame per run of the same stream (frames are costly to demux). */
class FrameWriter {
  private frames: Buffer[] = [];
  private run: { stream: 'stdout' | 'stderr'; parts: Buffer[] } | null = null;

  constructor(
    private readonly res: ServerResponse,
    private readonly tty: boolean,
  ) {}

  add(stream: 'stdout' | 'stderr', data: Buffer): void {
    if (this.run && this.run.stream !== stream) this.endRun();
    this.run ??= { stream, parts: [] };
    this.run.parts.push(data);
  }

  async flush(): Promise<void> {
    this.endRun();
    if (this.frames.length === 0 || this.res.destroyed) return;
    const chunk = Buffer.concat(this.frames);
    this.frames = [];
    if (!this.res.write(chunk)) await drainedOrClosed(this.res);
  }

  private endRun(): void {
    if (!this.run) return;
    const payload = Buffer.concat(this.run.parts);
    this.frames.push(this.tty ? payload : frameStdStream(this.run.stream === 'stdout' ? StdStream.Stdout : StdStream.Stderr, payload));
    this.run = null;
  }
}
