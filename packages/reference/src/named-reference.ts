import { InvalidArgumentError } from '@berth/api';
import { isDigest } from './digest.js';
import { REMOTE_NAME_PATTERN, REPOSITORY_NAME_MAX_LENGTH, TAG_PATTERN } from './internal/grammar.js';

/** A repository name with its registry domain, optionally pinned by tag and/or digest. */
export interface NamedReference {
  domain: string;
  path: string;
  /** domain + '/' + path */
  name: string;
  tag?: string;
  digest?: string;
}

/** Builds a reference from already-validated parts, leaving absent tag/digest keys out entirely. */
export function namedReference(domain: string, path: string, tag?: string, digest?: string): NamedReference {
  const ref: NamedReference = { domain, path, name: `${domain}/${path}` };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** The full form: `docker.io/library/busybox:latest`, `example.com/app@sha256:…`, or both tag and digest. */
export function referenceString(ref: NamedReference): string {
  return ref.name + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

export function isValidTag(tag: string): boolean {
  return TAG_PATTERN.test(tag);
}

/** True for a repository path without a domain (`library/busybox`), as registries see it in URLs. */
export function isValidRepositoryPath(path: string): boolean {
  return path.length <= REPOSITORY_NAME_MAX_LENGTH && REMOTE_NAME_PATTERN.test(path);
}

/** Replaces the tag; a digest, if present, is kept. */
export function withTag(ref: NamedReference, tag: string): NamedReference {
  if (!isValidTag(tag)) throw new InvalidArgumentError('invalid tag format');
  return namedReference(ref.domain, ref.path, tag, ref.digest);
}

/** Replaces the digest; a tag, if present, is kept. */
export function withDigest(ref: NamedReference, digest: string): NamedReference {
  if (!isDigest(digest)) throw new InvalidArgumentError('invalid digest format');
  return namedReference(ref.domain, ref.path, ref.tag, digest);
}

/** The repository alone, without tag or digest. */
export function trimNamed(ref: NamedReference): NamedReference {
  return namedReference(ref.domain, ref.path);
}

export function isNamedReference(value: unknown): value is NamedReference {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as Record<string, unknown>;
  return (
    typeof ref.domain === 'string' &&
    typeof ref.path === 'string' &&
    ref.name === `${ref.domain}/${ref.path}` &&
    (ref.tag === undefined || typeof ref.tag === 'string') &&
    (ref.digest === undefined || typeof ref.digest === 'string')
  );
}
