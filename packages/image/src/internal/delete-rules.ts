import type { NamedReference } from '@berth/reference';

/**
 * moby's rule for `rmi <id>`: the references go quietly only if there is at most one tag and every
 * reference (tag or digest) is in that one repository; otherwise the user must force.
 */
export function isSingleReference(refs: readonly NamedReference[]): boolean {
  if (refs.length <= 1) return true;
  const tags = refs.filter((ref) => ref.digest === undefined);
  if (tags.length > 1) return false;
  return new Set(refs.map((ref) => ref.name)).size === 1;
}

/**
 * What `rmi <reference>` untags: the reference itself and, once the repository has no tag left for
 * the image, the digest references in that repository too (moby's cleanup of pulled-by-digest names).
 */
export function referencesToUntag(removed: NamedReference, refs: readonly NamedReference[]): NamedReference[] {
  const untag = [removed];
  if (removed.digest !== undefined) return untag;
  const sameRepository = refs.filter((ref) => ref.name === removed.name);
  const tagLeft = sameRepository.some((ref) => ref.digest === undefined && ref.tag !== removed.tag);
  if (!tagLeft) untag.push(...sameRepository.filter((ref) => ref.digest !== undefined));
  return untag;
}

/** moby's isImageIDPrefix: `rmi` by ID (rather than by name) when the argument abbreviates the ID. */
export function isIdPrefix(id: string, candidate: string): boolean {
  return id.startsWith(candidate) || id.slice(id.indexOf(':') + 1).startsWith(candidate);
}
