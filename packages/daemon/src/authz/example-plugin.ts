import { createServer, type Server } from 'node:http';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decideExample, type PluginRequest, type PluginVerdict } from './example-policy.js';

const PLUGIN_MEDIA_TYPE = 'application/vnd.docker.plugins.v1.2+json';
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
    req.on('end', () => {
      const answer = (status: number, body: object) => {
        res.writeHead(status, { 'Content-Type': PLUGIN_MEDIA_TYPE });
        res.end(`${JSON.stringify(body)}\n`);
      };
      let call: PluginRequest;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        call = (text.trim() ? JSON.parse(text) : {}) as PluginRequest;
      } catch (err) {
        return answer(400, { Err: `invalid JSON: ${(err as Error).message}` });
      }
      if (req.method !== 'POST') return answer(405, { Err: `${req.method ?? ''} is not a plugin call` });
      switch (req.url) {
        case '/Plugin.Activate':
          return answer(200, { Implements: ['authz'] });
        case '/AuthZPlugin.AuthZReq': {
          const verdict: PluginVerdict = decideExample(call);
          audit({ user: call.User ?? '', method: call.RequestMethod ?? '', uri: call.RequestUri ?? '', allow: verdict.Allow, ...(verdict.Msg ? { msg: verdict.Msg } : {}) });
          return answer(200, verdict);
        }
        case '/AuthZPlugin.AuthZRes':
          return answer(200, { Allow: true });
        default:
          return answer(404, { Err: `unknown plugin call ${req.url ?? ''}` });
      }
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
