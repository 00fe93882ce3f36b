import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { once } from 'node:events';
import { StdStream, frameStdStream, httpStatusOf, type ContainerInspect, DEFAULT_DETACH_KEYS, DetachKeysFilter, parseDetachKeys } from '@berth/api';
import type { FastifyBaseLogger } from 'fastify';
import type { Engine } from './engine.js';
import { splitVersionedUrl } from './api-version.js';
import { queryBool } from './query.js';
import { replayLogs } from './log-replay.js';
import { attachOverWebSocket } from './attach-ws.js';
import { execOverHttp, readUpgradeBody, type ExecStartBody } from './exec-stream.js';
import { stdStreamWriter, writeRawError, writeStreamHead } from './raw-response.js';

/**
 * Requests carrying `Upgrade:` (docker CLI attach and exec start) arrive here instead of fastify. We
 * answer `101 UPGRADED` ourselves and keep the raw socket half-open, so output produced after the
 * client closes its stdin still reaches it.
 */
export function handleUpgrade(engine: Engine, req: IncomingMessage, socket: Duplex, head: Buffer, log: FastifyBaseLogger): void {
  if (head.length) socket.unshift(head);
  socket.on('error', () => undefined);
  const { url, version, error } = splitVersionedUrl(req.url ?? '/');
  if (error) return writeRawError(socket, 400, error);
  const parsed = new URL(url, 'http://berth');
  const query = Object.fromEntries(parsed.searchParams);
  const attachWs = /^\/containers\/([^/]+)\/attach\/ws$/.exec(parsed.pathname);
  if (req.method === 'GET' && attachWs) {
    attachOverWebSocket(engine, decodeURIComponent(attachWs[1]!), query, req, socket).catch((err: unknown) => {
      log.warn({ err }, 'websocket attach failed');
      socket.destroy();
    });
    return;
  }
  const attach = /^\/containers\/([^/]+)\/attach$/.exec(parsed.pathname);
  if (req.method === 'POST' && attach) {
    // dockerode sends its options as a body; what follows the body is stdin.
    readUpgradeBody(socket, Number(req.headers['content-length'] ?? 0))
      .then(() => attachOverHttp(engine, decodeURIComponent(attach[1]!), query, socket, { upgraded: true, apiVersion: version }))
      .catch((err: unknown) => {
        log.warn({ err }, 'attach failed');
        socket.destroy();
      });
    return;
  }
  const execStart = /^\/exec\/([^/]+)\/start$/.exec(parsed.pathname);
  if (req.method === 'POST' && execStart) {
    const execId = decodeURIComponent(execStart[1]!);
    readUpgradeBody(socket, Number(req.headers['content-length'] ?? 0))
      .then((body) => execOverHttp(engine.execs, execId, (body ?? {}) as ExecStartBody, socket, { upgraded: true, apiVersion: version }))
      .catch((err: unknown) => {
        log.warn({ err }, 'exec start failed');
        socket.destroy();
      });
    return;
  }
  writeRawError(socket, 404, 'page not found');
}

/** Streams a container's stdio over a hijacked connection, multiplexed unless it has a TTY. */
export async function attachOverHttp(
  engine: Engine,
  ref: string,
  query: Record<string, string | undefined>,
  socket: Duplex,
  options: { upgraded: boolean; apiVersion: string },
): Promise<void> {
  let inspected: ContainerInspect;
  try {
    inspected = engine.containers.inspect(ref);
    if (query.detachKeys) parseDetachKeys(query.detachKeys);
  } catch (err) {
    return writeRawError(socket, httpStatusOf(err), (err as Error).message);
  }
  const tty = inspected.Config.Tty ?? false;
  writeStreamHead(socket, { ...options, tty });
  const writer = stdStreamWriter(socket, tty);
  // `once` rejects when the socket errors first (EPIPE from a client that left): that is a close too.
  const closed = once(socket, 'close').then(
    () => undefined,
    () => undefined,
  );
  if (queryBool(query.logs)) await replayLogs(inspected.LogPath, writer);
  let stdin: Readable | undefined;
  if (queryBool(query.stdin)) {
    const filter = new DetachKeysFilter(parseDetachKeys(query.detachKeys || DEFAULT_DETACH_KEYS));
    filter.once('detach', () => {
      socket.unpipe(filter);
      socket.destroy();
    });
    stdin = socket.pipe(filter);
  }
  try {
    await engine.containers.attach(ref, {
      stdin,
      stdout: queryBool(query.stdout) ? writer(StdStream.Stdout) : undefined,
      stderr: queryBool(query.stderr) ? writer(StdStream.Stderr) : undefined,
      end: () => socket.end(),
      closed,
    });
  } catch (err) {
    if (socket.writable && !tty) socket.write(frameStdStream(StdStream.SystemErr, Buffer.from((err as Error).message)));
    socket.end();
  }
}
