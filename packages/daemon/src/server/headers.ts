import { API_VERSION, ENGINE_VERSION } from '@berth/api';

/** Headers Docker puts on every response; clients read the API version from them to negotiate. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Api-Version': API_VERSION,
  Server: `Docker/${ENGINE_VERSION} (linux)`,
  Ostype: 'linux',
  'Docker-Experimental': 'false',
};

export function rawHeaderLines(extra: Record<string, string> = {}): string {
  return Object.entries({ ...COMMON_HEADERS, ...extra })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
}
