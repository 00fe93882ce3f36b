import { API_VERSION, MIN_API_VERSION, compareApiVersions } from '@berth/api';

const VERSIONED_PATH = /^\/v([0-9]+(?:\.[0-9]+)?)(\/.*)?$/;

export interface VersionedUrl {
  url: string;
  /** The version the client asked for, or ours when the path has no prefix. */
  version: string;
  /** Set when the requested version is outside what we serve. */
  error?: string;
}

/** Splits `/v1.47/containers/json` into the version and the route path (routes exist both ways). */
export function splitVersionedUrl(rawUrl: string): VersionedUrl {
  const match = VERSIONED_PATH.exec(rawUrl.split('?', 1)[0]!);
  if (!match) return { url: rawUrl, version: API_VERSION };
  const version = match[1]!;
  const query = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?')) : '';
  const url = (match[2] ?? '/') + query;
  if (compareApiVersions(version, MIN_API_VERSION) < 0) {
    return { url, version, error: `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version` };
  }
  if (compareApiVersions(version, API_VERSION) > 0) {
    return { url, version, error: `client version ${version} is too new. Maximum supported API version is ${API_VERSION}` };
  }
  return { url, version };
}
