/**
 * The Go registry's storage layout (distribution's registry/storage/paths.go), so a data directory
 * it wrote serves as is. Digests arrive validated (`sha256:<hex>`); names and tags too.
 */
const ROOT = '/docker/registry/v2';

function split(digest: string): { algorithm: string; hex: string } {
  const colon = digest.indexOf(':');
  return { algorithm: digest.slice(0, colon), hex: digest.slice(colon + 1) };
}

/** `<algorithm>/<hex>`: how a link directory is keyed by digest. */
function digestDir(digest: string): string {
  const { algorithm, hex } = split(digest);
  return `${algorithm}/${hex}`;
}

export const REPOSITORIES_ROOT = `${ROOT}/repositories`;

export const BLOBS_ROOT = `${ROOT}/blobs`;

/** The directory holding a blob's `data`; garbage collection removes it whole. */
export function blobDir(digest: string): string {
  const { algorithm, hex } = split(digest);
  return `${BLOBS_ROOT}/${algorithm}/${hex.slice(0, 2)}/${hex}`;
}

export function blobDataPath(digest: string): string {
  return `${blobDir(digest)}/data`;
}

export function repositoryPath(name: string): string {
  return `${REPOSITORIES_ROOT}/${name}`;
}

export function layersPath(name: string): string {
  return `${repositoryPath(name)}/_layers`;
}

/** The directory holding a layer link; deleting it unlinks the blob. */
export function layerLinkDir(name: string, digest: string): string {
  return `${layersPath(name)}/${digestDir(digest)}`;
}

export function layerLinkPath(name: string, digest: string): string {
  return `${layerLinkDir(name, digest)}/link`;
}

export function manifestsPath(name: string): string {
  return `${repositoryPath(name)}/_manifests`;
}

/** The directory of `<hex>` entries, one per manifest revision of the algorithm. */
export function revisionsPath(name: string, algorithm = 'sha256'): string {
  return `${manifestsPath(name)}/revisions/${algorithm}`;
}

export function revisionLinkDir(name: string, digest: string): string {
  return `${manifestsPath(name)}/revisions/${digestDir(digest)}`;
}

export function revisionLinkPath(name: string, digest: string): string {
  return `${revisionLinkDir(name, digest)}/link`;
}

export function tagsPath(name: string): string {
  return `${manifestsPath(name)}/tags`;
}

export function tagPath(name: string, tag: string): string {
  return `${tagsPath(name)}/${tag}`;
}

export function tagCurrentLinkPath(name: string, tag: string): string {
  return `${tagPath(name, tag)}/current/link`;
}

/** Every digest the tag has pointed at, as the Go registry records them. */
export function tagIndexLinkDir(name: string, tag: string, digest: string): string {
  return `${tagPath(name, tag)}/index/${digestDir(digest)}`;
}

export function tagIndexLinkPath(name: string, tag: string, digest: string): string {
  return `${tagIndexLinkDir(name, tag, digest)}/link`;
}

export function uploadsPath(name: string): string {
  return `${repositoryPath(name)}/_uploads`;
}

export function uploadPath(name: string, id: string): string {
  return `${uploadsPath(name)}/${id}`;
}

export function uploadDataPath(name: string, id: string): string {
  return `${uploadPath(name, id)}/data`;
}

export function uploadStartedAtPath(name: string, id: string): string {
  return `${uploadPath(name, id)}/startedat`;
}
