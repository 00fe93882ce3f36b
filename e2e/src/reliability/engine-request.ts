import { request } from 'node:http';

export interface EngineReply {
  /** 0 when the connection broke before a status came (the daemon died under the request). */
  status: number;
  body: string;
  /** The whole answer arrived, with a 2xx status and, for a progress stream, no error line. */
  ok: boolean;
}

/**
 * One Engine API request over the daemon's socket that never rejects: the daemon may be SIGKILLed under it,
 * and the reply says how far it got. A JSON body is sent as JSON, a Buffer as a tar.
 */
export function engineRequest(socket: string, method: string, path: string, body?: Buffer | object): Promise<EngineReply> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'X-Registry-Auth': Buffer.from('{}').toString('base64') };
    let payload: Buffer | undefined;
    if (Buffer.isBuffer(body)) {
      payload = body;
      headers['Content-Type'] = 'application/x-tar';
    } else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      headers['Content-Type'] = 'application/json';
    }
    const req = request({ socketPath: socket, method, path: `/v1.47${path}`, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      // A response cut short by the daemon's death errors, then closes: 'close' always comes, 'end' may not.
      res.on('error', () => undefined);
      res.on('close', () => {
        const status = res.statusCode ?? 0;
        const streamFailed = status === 200 && text.split('\n').some(hasErrorKey);
        resolve({ status, body: text, ok: res.complete && status >= 200 && status < 300 && !streamFailed });
      });
    });
    req.on('error', () => resolve({ status: 0, body: '', ok: false }));
    req.end(payload);
  });
}

/** A progress-stream line reporting a failure: `{"errorDetail": …, "error": …}`. */
function hasErrorKey(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    return 'error' in (JSON.parse(line) as object);
  } catch {
    return false;
  }
}

/** Mulberry32: a small seeded generator, so that a failing run can be repeated with its printed seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
