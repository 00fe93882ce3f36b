import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { httpStatusOf } from '@berth/api';
import type { Engine } from './engine.js';
import { replayLogs } from './log-replay.js';
import { queryBool } from './query.js';
import { acceptWebSocket } from './websocket.js';

/**
 * GET /containers/{id}/attach/ws: the container's stdio over a WebSocket, as Docker serves it: binary
 * frames carrying the raw (never multiplexed) output, stdin taken from the client's frames.
 */
export async function attachOverWebSocket(engine: Engine, ref: string, query: Record<string, string | undefined>, req: IncomingMessage, socket: Duplex): Promise<void> {
  let logPath: string;
  try {
    logPath = engine.containers.inspect(ref).LogPath;
  } catch (err) {
    const body = JSON.stringify({ message: (err as Error).message });
    socket.end(`HTTP/1.1 ${httpStatusOf(err)} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return;
  }
  const ws = acceptWebSocket(req, socket);
  if (!ws) return;
  const send = (data: Buffer): void => ws.send(data);
  if (queryBool(query.logs)) await replayLogs(logPath, () => send);
  if (!queryBool(query.stream)) {
    ws.close();
    return;
  }
  try {
    await engine.containers.attach(ref, {
      stdin: queryBool(query.stdin) ? ws.input : undefined,
      stdout: queryBool(query.stdout) ? send : undefined,
      stderr: queryBool(query.stderr) ? send : undefined,
      end: () => ws.close(),
      closed: once(socket, 'close').then(() => undefined),
    });
  } catch {
    ws.close();
  }
}
