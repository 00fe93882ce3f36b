import { request as httpRequest, type RequestOptions } from 'node:http';
import { InvalidArgumentError } from '@berth/api';

/** The media type dockerd asks plugins to answer in. */
export const PLUGIN_MEDIA_TYPE = 'application/vnd.docker.plugins.v1.2+json';
/** The host name dockerd puts on requests to a plugin's unix socket. */
const UNIX_SOCKET_HOST = 'plugin.moby.localhost';
/** The largest answer read from a plugin: a verdict is a few bytes, so a larger one fails that call rather than fill memory. */
export const MAX_PLUGIN_ANSWER_BYTES = 4 * 1024 * 1024;
/** How much of a failed call's body goes into its error message. */
const MAX_ERROR_TEXT_CHARS = 1024;

export interface PluginCallOptions {
  /** Fails the call when its answer is not complete after this long. Without it a call waits, as dockerd's do. */
  timeoutMs?: number;
}

/** Calls one method of a plugin (`Plugin.Activate`, `AuthZPlugin.AuthZReq`…) and resolves with its JSON answer. */
export type PluginCall = (method: string, payload: unknown, options?: PluginCallOptions) => Promise<unknown>;

/**
 * A client of Docker's plugin protocol: each call is an HTTP POST of JSON to `/<method>`, over a unix
 * socket (`unix:///path`) or plain TCP (`tcp://host:port`, `http://host:port`). A plugin's failure (a
 * status other than 200) is an error carrying its `Err`; errors name the method, as dockerd's do.
 */
export function pluginClient(address: string): PluginCall {
  const target = connectionOptions(address);
  return (method, payload, options = {}) =>
    new Promise((resolve, reject) => {
      const body = payload === undefined ? '' : `${JSON.stringify(payload)}\n`;
      let timer: NodeJS.Timeout | undefined;
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        outcome();
      };
      const fail = (message: string) => settle(() => reject(new Error(`${method}: ${message}`)));
      const req = httpRequest({ ...target, method: 'POST', path: `/${method}`, headers: { ...(target.socketPath ? { Host: UNIX_SOCKET_HOST } : {}), Accept: PLUGIN_MEDIA_TYPE, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_PLUGIN_ANSWER_BYTES) return void chunks.push(chunk);
          fail(`answer larger than ${MAX_PLUGIN_ANSWER_BYTES} bytes`);
          req.destroy();
        });
        res.on('error', (err) => fail(err.message));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return fail(pluginErrorText(text));
          try {
            const answer: unknown = JSON.parse(text);
            settle(() => resolve(answer));
          } catch (err) {
            fail(`invalid answer: ${(err as Error).message}`);
          }
        });
      });
      req.on('error', (err) => settle(() => reject(new Error(`Post "http://${target.host ?? UNIX_SOCKET_HOST}/${method}": ${err.message}`))));
      if (options.timeoutMs !== undefined) {
        const waited = options.timeoutMs % 1000 === 0 ? `${options.timeoutMs / 1000}s` : `${options.timeoutMs}ms`;
        timer = setTimeout(() => {
          fail(`no answer from ${address} within ${waited}`);
          req.destroy();
        }, options.timeoutMs);
      }
      req.end(body);
    });
}

function connectionOptions(address: string): RequestOptions {
  if (address.startsWith('unix://')) return { socketPath: address.slice('unix://'.length) };
  const match = /^(?:tcp|http):\/\/([^/:]+|\[[^\]]+\]):(\d+)\/?$/.exec(address);
  if (!match) throw new InvalidArgumentError(`unsupported plugin address ${JSON.stringify(address)}: unix:///path or tcp://host:port`);
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}

/** A plugin's error answer: its `Err` when it gives one in JSON, else the body as sent, cut short when long. */
function pluginErrorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { Err?: unknown };
    if (typeof parsed?.Err === 'string' && parsed.Err !== '') return truncated(parsed.Err);
  } catch {
    // Not JSON: the body itself is the message.
  }
  return truncated(text);
}

function truncated(text: string): string {
  return text.length <= MAX_ERROR_TEXT_CHARS ? text : `${text.slice(0, MAX_ERROR_TEXT_CHARS)}… (${text.length} characters)`;
}
