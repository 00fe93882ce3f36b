import { InvalidArgumentError } from '@berth/api';

/** `X-Registry-Auth`: base64url JSON with `username` and `password`; `{}` or absent means anonymous. */
export function registryAuth(header: string | string[] | undefined): { auth?: { username: string; password: string } } {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return {};
  let parsed: { username?: unknown; password?: unknown; identitytoken?: unknown } | null;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('invalid X-Registry-Auth header: not base64url-encoded JSON');
  if (typeof parsed.identitytoken === 'string' && parsed.identitytoken !== '') {
    throw new InvalidArgumentError('identity tokens in X-Registry-Auth are not supported yet: log in with a username and password');
  }
  if (typeof parsed.username !== 'string' || parsed.username === '') return {};
  return { auth: { username: parsed.username, password: typeof parsed.password === 'string' ? parsed.password : '' } };
}
