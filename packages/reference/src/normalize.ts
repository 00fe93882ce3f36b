import { InvalidArgumentError } from '@berth/api';
import { IDENTIFIER_PATTERN } from './internal/grammar.js';
import { parseGrammar } from './internal/parse-grammar.js';
import { namedReference, referenceString, type NamedReference } from './named-reference.js';

export const DEFAULT_DOMAIN = 'docker.io';
/** Docker Hub's original "index" name, still accepted and folded into DEFAULT_DOMAIN. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';

/** Decides whether the first component is a registry; Docker's rule, not the grammar's. */
function splitDockerDomain(s: string): { domain: string; remainder: string } {
  const slash = s.indexOf('/');
  // A single component is always a Docker Hub official image, even `localhost` or `example.com`.
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + s };

  const first = s.slice(0, slash);
  // Uppercase is never valid in a path, so an uppercase first component can only be a host.
  const isHost = first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first;
  const domain = !isHost || first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
  let remainder = isHost ? s.slice(slash + 1) : s;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses what a user types (`busybox`, `user/app:v1`, `localhost:5000/a@sha256:…`) into a fully
 * qualified reference, applying Docker Hub defaults. No default tag is added.
 */
export function parseNormalizedNamed(s: string): NamedReference {
  if (IDENTIFIER_PATTERN.test(s)) {
    throw new InvalidArgumentError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(s);
  const remote = remainder.split(/[:@]/, 1)[0];
  if (remote.toLowerCase() !== remote) {
    throw new InvalidArgumentError(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  const parts = parseGrammar(`${domain}/${remainder}`);
  // A host the grammar rejects (e.g. `my_host.com/app`) would otherwise be re-read as a path component.
  if (parts.domain !== domain) throw new InvalidArgumentError('invalid reference format');
  return namedReference(parts.domain, parts.path, parts.tag, parts.digest);
}

/** Parses a reference that must already be in canonical form (`docker.io/library/busybox:latest`). */
export function parseReference(s: string): NamedReference {
  const ref = parseNormalizedNamed(s);
  if (referenceString(ref) !== s) throw new InvalidArgumentError('repository name must be canonical');
  return ref;
}

/** Adds the `latest` tag to a reference that has neither tag nor digest. */
export function withDefaultTag(ref: NamedReference): NamedReference {
  return ref.tag === undefined && ref.digest === undefined ? namedReference(ref.domain, ref.path, DEFAULT_TAG) : ref;
}

/**
 * Docker's pull/run interpretation: a reference with both tag and digest keeps only the digest (the
 * digest is what gets fetched); a bare name gets `latest`.
 */
export function parseDockerRef(s: string): NamedReference {
  const ref = parseNormalizedNamed(s);
  if (ref.tag !== undefined && ref.digest !== undefined) return namedReference(ref.domain, ref.path, undefined, ref.digest);
  return withDefaultTag(ref);
}

/** The name as Docker prints it: `busybox`, `user/app`, `localhost:5000/app`. */
export function familiarName(ref: NamedReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return ref.name;
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const official = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    // Only a single-component name under library/ is an official image.
    if (!official.includes('/')) return official;
  }
  return ref.path;
}

/** The reference as Docker prints it: `busybox:latest`, `busybox@sha256:…`. */
export function familiarString(ref: NamedReference): string {
  return familiarName(ref) + referenceString(ref).slice(ref.name.length);
}
