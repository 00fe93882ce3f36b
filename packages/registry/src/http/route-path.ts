import { isValidRepositoryPath, isValidTag } from '@berth/reference';
import { RegistryError } from '../registry-error.js';

/** A request path under `/v2/`, split into the endpoint and its parameters. */
export type RegistryPath =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; uploadId: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'referrers'; name: string; digest: string };

// Names and tags follow the distribution grammar of @berth/reference, as the storage checks them too.
const NAME_MAX = 255;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const KNOWN_DIGESTS: Record<string, RegExp> = { sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ };

// Longest name first: `(.+)` is greedy, so `a/blobs/uploads/x` is an upload of `a`, as the Go router reads it.
const ENDPOINTS: [RegExp, (name: string, param: string) => RegistryPath][] = [
  [/^(.+)\/tags\/list$/, (name) => ({ kind: 'tags', name })],
  [/^(.+)\/manifests\/([^/]+)$/, (name, reference) => ({ kind: 'manifest', name, reference })],
  [/^(.+)\/blobs\/uploads\/?$/, (name) => ({ kind: 'uploads', name })],
  [/^(.+)\/blobs\/uploads\/([^/]+)$/, (name, uploadId) => ({ kind: 'upload', name, uploadId })],
  [/^(.+)\/blobs\/([^/]+)$/, (name, digest) => ({ kind: 'blob', name, digest })],
  [/^(.+)\/referrers\/([^/]+)$/, (name, digest) => ({ kind: 'referrers', name, digest })],
];

/** The endpoint a path under `/v2/` names (`rest` is what follows `/v2/`), or undefined when none does. */
export function parseRegistryPath(rest: string): RegistryPath | undefined {
  if (rest === '') return { kind: 'base' };
  if (rest === '_catalog') return { kind: 'catalog' };
  for (const [pattern, make] of ENDPOINTS) {
    const match = pattern.exec(rest);
    if (match) {
      const param = decodePathSegment(match[2] ?? '');
      return param === undefined ? undefined : make(match[1]!, param);
    }
  }
  return undefined;
}

/** A path segment's value, or undefined for a malformed escape (no such path: a 404, not a fault). */
function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** NAME_INVALID unless `name` is a valid repository name. */
export function checkName(name: string): void {
  if (name.length > NAME_MAX) throw new RegistryError('NAME_INVALID', 'invalid repository name', { name, reason: `longer than ${NAME_MAX} characters` });
  if (!isValidRepositoryPath(name)) throw new RegistryError('NAME_INVALID', 'invalid repository name', { name });
}

/** DIGEST_INVALID unless `digest` is `algorithm:encoded`, with a well-formed encoding for sha256 and sha512. */
export function checkDigest(digest: string): void {
  if (!isDigest(digest)) throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest, reason: 'invalid digest format' });
}

/** A manifest reference: a digest, or a tag (TAG_INVALID otherwise). */
export function checkReference(reference: string): 'digest' | 'tag' {
  if (reference.includes(':')) {
    checkDigest(reference);
    return 'digest';
  }
  if (!isValidTag(reference)) throw new RegistryError('TAG_INVALID', 'manifest tag did not match URI', { tag: reference });
  return 'tag';
}

function isDigest(digest: string): boolean {
  if (!DIGEST.test(digest)) return false;
  const [algorithm, encoded] = digest.split(':') as [string, string];
  return KNOWN_DIGESTS[algorithm]?.test(encoded) ?? true;
}
