/** The Engine API version this engine speaks, and the oldest one it still serves. */
export const API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';
/** The Docker release whose API we mirror, reported in /version for clients that look at it. */
export const ENGINE_VERSION = '27.5.0-berth';

/** Compares two `major.minor` API versions: negative when a < b. */
export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

export function isSupportedApiVersion(version: string): boolean {
  return /^\d+\.\d+$/.test(version) && compareApiVersions(version, MIN_API_VERSION) >= 0 && compareApiVersions(version, API_VERSION) <= 0;
}
