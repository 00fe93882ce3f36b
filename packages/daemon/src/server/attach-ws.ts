import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { DEFAULT_DETACH_KEYS, parseDetachKeys, type ContainerAttachQuery } from '@berth/api';
import type { Engine } from './engine.js';
import { queryBool } from './query.js';
import { acceptWebSocket } from './websocket.js';
import { clientStdin } from './client-stdin.js';

/**
 * GET /containers/{id}/attach/ws: the container's stdio over a WebSocket, as Docker serves it: binary
 * frames carrying the raw (never multiplexed) output, stdin taken from the client's frames (the detach
 * keys end the connection with a TTY, as on the hijacked route). What fails before the handshake is
 * answered (no such container, not a WebSocket request) is thrown, for an error response.
 */
export async function attachOverWebSocket(engine: Engine, ref: string, query: ContainerAttachQuery, req: IncomingMessage, socket: Duplex): Promise<void> {
  const inspected = engine.inspection.inspect(ref);
  const subject = engine.inspection.eventSubject(inspected.Id);
  const tty = inspected.Config.Tty ?? false;
  const detachKeys = parseDetachKeys(query.detachKeys || DEFAULT_DETACH_KEYS);
  const ws = acceptWebSocket(req, socket);
  const stdout = queryBool(query.stdout) ? ws.output : undefined;
  const stderr = queryBool(query.stderr) ? ws.output : undefined;
  if (queryBool(query.logs)) await engine.io.replayLog(inspected.Id, { stdout, stderr });
  if (!queryBool(query.stream)) {
    engine.io.attachedWithoutStream(subject);
    ws.close();
    return;
  }
  const detach = (): void => {
    ws.close();
    engine.io.detached(subject);
  };
  const stdin = queryBool(query.stdin) ? clientStdin(ws.input, { tty, detachKeys, detach }) : undefined;
  // Frames nobody takes as stdin are dropped, so pings and the close frame are still read.
  if (!stdin) ws.input.resume();
  try {
    await engine.io.attach(ref, {
      stdin,
      stdout,
      stderr,
      end: () => ws.close(),
      closed: ws.closed,
    });
  } catch {
    ws.close();
  }
}
