import { createServer, type Server } from 'node:http';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decideExample, type PluginRequest, type PluginVerdict } from './example-policy.js';
import { PLUGIN_MEDIA_TYPE } from './plugin-client.js';
/** A request body larger than this is no authorization request (dockerd sends at most 1 MiB of body, in base64). */
const MAX_CALL_BYTES = 4 * 1024 * 1024;

/** One decision, for the plugin's audit log. */
export interface Decision {
  user: string;
  method: string;
  uri: string;
  allow: boolean;
  msg?: string;
}

/**
 * Serves Docker's authorization plugin protocol on a unix socket with the example policy: activation
 * declares `authz`, each AuthZReq is decided by decideExample, every AuthZRes is allowed. Each request
 * decision is reported to `audit`.
 */
export async function serveExamplePlugin(socketPath: string, audit: (decision: Decision) => void): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CALL_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      // Whatever a caller sends, the plugin answers and keeps serving: berthd depends on it for every request.
      let reply: { status: number; body: object };
      try {
        reply = answerCall(req.method, req.url, Buffer.concat(chunks), audit);
      } catch (err) {
        reply = { status: 500, body: { Err: `the plugin failed: ${(err as Error).message}` } };
      }
      res.writeHead(reply.status, { 'Content-Type': PLUGIN_MEDIA_TYPE });
      res.end(`${JSON.stringify(reply.body)}\n`);
    });
  });
  await mkdir(dirname(socketPath), { recursive: true });
  // A socket left by an earlier run that was killed would make listen fail.
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** The answer to one plugin call: Docker's plugin protocol, the example policy deciding AuthZReq. */
function answerCall(method: string | undefined, url: string | undefined, payload: Buffer, audit: (decision: Decision) => void): { status: number; body: object } {
  if (method !== 'POST') return { status: 405, body: { Err: `${method ?? ''} is not a plugin call` } };
  let call: unknown;
  try {
    const text = payload.toString('utf8');
    call = text.trim() ? JSON.parse(text) : {};
  } catch (err) {
    return { status: 400, body: { Err: `invalid JSON: ${(err as Error).message}` } };
  }
  // A Go plugin cannot decode anything but an object into its request struct either.
  if (typeof call !== 'object' || call === null || Array.isArray(call)) return { status: 400, body: { Err: 'invalid plugin call: the body is not a JSON object' } };
  switch (url) {
    case '/Plugin.Activate':
      return { status: 200, body: { Implements: ['authz'] } };
    case '/AuthZPlugin.AuthZReq': {
      const request = call as PluginRequest;
      const verdict: PluginVerdict = decideExample(request);
      audit({ user: String(request.User ?? ''), method: String(request.RequestMethod ?? ''), uri: String(request.RequestUri ?? ''), allow: verdict.Allow, ...(verdict.Msg ? { msg: verdict.Msg } : {}) });
      return { status: 200, body: verdict };
    }
    case '/AuthZPlugin.AuthZRes':
      return { status: 200, body: { Allow: true } };
    default:
      return { status: 404, body: { Err: `unknown plugin call ${url ?? ''}` } };
  }
}
