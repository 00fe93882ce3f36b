import { request as httpRequest, type RequestOptions } from 'node:http';
import { InvalidArgumentError } from '@berth/api';

/** The media type dockerd asks plugins to answer in. */
const PLUGIN_MEDIA_TYPE = 'application/vnd.docker.plugins.v1.2+json';
/** The host name dockerd puts on requests to a plugin's unix socket. */
const UNIX_SOCKET_HOST = 'plugin.moby.localhost';

/** Calls one method of a plugin (`Plugin.Activate`, `AuthZPlugin.AuthZReq`…) and resolves with its JSON answer. */
export type PluginCall = (method: string, payload: unknown) => Promise<unknown>;

/**
 * A client of Docker's plugin protocol: each call is an HTTP POST of JSON to `/<method>`, over a unix
 * socket (`unix:///path`) or plain TCP (`tcp://host:port`, `http://host:port`). A plugin's failure (a
 * status other than 200) is an error carrying its `Err`; errors name the method, as dockerd's do.
 */
export function pluginClient(address: string): PluginCall {
  const target = connectionOptions(address);
  return (method, payload) =>
    new Promise((resolve, reject) => {
      const body = payload === undefined ? '' : `${JSON.stringify(payload)}\n`;
      const fail = (message: string) => reject(new Error(`${method}: ${message}`));
      const req = httpRequest({ ...target, method: 'POST', path: `/${method}`, headers: { ...(target.socketPath ? { Host: UNIX_SOCKET_HOST } : {}), Accept: PLUGIN_MEDIA_TYPE, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => fail(err.message));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return fail(pluginErrorText(text));
          try {
            resolve(JSON.parse(text));
          } catch (err) {
            fail(`invalid answer: ${(err as Error).message}`);
          }
        });
      });
      req.on('error', (err) => reject(new Error(`Post "http://${target.host ?? UNIX_SOCKET_HOST}/${method}": ${err.message}`)));
      req.end(body);
    });
}

function connectionOptions(address: string): RequestOptions {
  if (address.startsWith('unix://')) return { socketPath: address.slice('unix://'.length) };
  const match = /^(?:tcp|http):\/\/([^/:]+|\[[^\]]+\]):(\d+)\/?$/.exec(address);
  if (!match) throw new InvalidArgumentError(`unsupported plugin address ${JSON.stringify(address)}: unix:///path or tcp://host:port`);
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}

/** A plugin's error answer: its `Err` when it gives one in JSON, else the body as sent. */
function pluginErrorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { Err?: unknown };
    if (typeof parsed?.Err === 'string' && parsed.Err !== '') return parsed.Err;
  } catch {
    // Not JSON: the body itself is the message.
  }
  return text;
}
