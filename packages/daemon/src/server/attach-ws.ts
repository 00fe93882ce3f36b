import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from './engine.js';
import { replayLogs } from './log-replay.js';
import { queryBool } from './query.js';
import { acceptWebSocket } from './websocket.js';

/**
 * GET /containers/{id}/attach/ws: the container's stdio over a WebSocket, as Docker serves it: binary
 * frames carrying the raw (never multiplexed) output, stdin taken from the client's frames.
 */
export async function attachOverWebSocket(engine: Engine, ref: string, query: Record<string, string | undefined>, req: IncomingMessage, socket: Duplex): Promise<void> {
  const logPath = engine.containers.logOf(ref).path;
  const ws = acceptWebSocket(req, socket);
  if (!ws) return;
  if (queryBool(query.logs)) await replayLogs(logPath, { stdout: ws.output, stderr: ws.output });
  if (!queryBool(query.stream)) {
    ws.close();
    return;
  }
  const stdin = queryBool(query.stdin);
  // Frames nobody takes as stdin are dropped, so pings and the close frame are still read.
  if (!stdin) ws.input.resume();
  try {
    await engine.containers.attach(ref, {
      stdin: stdin ? ws.input : undefined,
      stdout: queryBool(query.stdout) ? ws.output : undefined,
      stderr: queryBool(query.stderr) ? ws.output : undefined,
      end: () => ws.close(),
      closed: ws.closed,
    });
  } catch {
    ws.close();
  }
}
