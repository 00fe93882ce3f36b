/**
 * Splitting and shortening image references for display, as docker's `reference.FamiliarName`
 * and `TagNameOnly` do for the common forms.
 */
const DEFAULT_REGISTRY_PREFIXES = ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/'];

export function familiarName(name: string): string {
  const prefix = DEFAULT_REGISTRY_PREFIXES.find((p) => name.startsWith(p));
  return prefix ? name.slice(prefix.length) : name;
}

/** Splits "repo:tag" at the tag separator (not a registry port's colon); no tag gives undefined. */
export function splitTag(reference: string): { repository: string; tag: string | undefined } {
  const colon = reference.lastIndexOf(':');
  if (colon === -1 || reference.indexOf('/', colon) !== -1) return { repository: reference, tag: undefined };
  return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}

/** The reference docker names in "Unable to find image 'busybox:latest' locally": ":latest" when untagged. */
export function withDefaultTag(reference: string): string {
  if (reference.includes('@')) return familiarName(reference);
  const { repository, tag } = splitTag(reference);
  return `${familiarName(repository)}:${tag ?? 'latest'}`;
}
