import type { ImageSummary } from '@berth/api';
import { goTime } from './go-time.js';
import { timeAgo } from './human-duration.js';
import { humanSize } from './human-size.js';
import { truncateId } from './ids.js';
import { familiarName, splitTag } from './image-reference.js';
import type { Headers } from './list-format.js';

export const IMAGE_TABLE_HEADER = ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'];

/** Placeholders old daemons put in RepoTags/RepoDigests for untagged images. */
const NONE_REFERENCES = new Set(['<none>:<none>', '<none>@<none>']);

export interface ImageRow {
  repository: string;
  tag: string;
  id: string;
  created: string;
  size: string;
}

/**
 * One row per tag, as `docker images` prints: repositories known only by digest get tag
 * "<none>", and images with neither get "<none>  <none>".
 */
export function imageRows(images: ImageSummary[], now: number): ImageRow[] {
  return images.flatMap((image) => {
    const common = { id: truncateId(image.Id), created: timeAgo(image.Created, now), size: humanSize(image.Size) };
    const rows: ImageRow[] = [];
    for (const reference of image.RepoTags ?? []) {
      const { repository, tag } = splitTag(reference);
      if (!NONE_REFERENCES.has(reference) && tag !== undefined) rows.push({ repository: familiarName(repository), tag, ...common });
    }
    const taggedRepositories = new Set(rows.map((row) => row.repository));
    const digestOnly = new Set(
      (image.RepoDigests ?? [])
        .filter((ref) => !NONE_REFERENCES.has(ref) && ref.includes('@'))
        .map((ref) => familiarName(ref.slice(0, ref.indexOf('@'))))
        .filter((repository) => !taggedRepositories.has(repository)),
    );
    rows.push(...[...digestOnly].map((repository) => ({ repository, tag: '<none>', ...common })));
    return rows.length ? rows : [{ repository: '<none>', tag: '<none>', ...common }];
  });
}

/** `docker images --format`'s default table, and with --digests. */
export const DEFAULT_IMAGE_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
export const DIGESTS_IMAGE_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

export const IMAGE_HEADERS: Headers = {
  Containers: 'CONTAINERS',
  CreatedAt: 'CREATED AT',
  CreatedSince: 'CREATED',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  SharedSize: 'SHARED SIZE',
  Size: 'SIZE',
  Tag: 'TAG',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'VIRTUAL SIZE',
};

/** The fields `images --format` offers for one row of an image, as docker's image formatter renders them. */
export function imageFields(image: ImageSummary, row: ImageRow & { digest: string }): object {
  const unknown = (value: number, text: () => string) => (value === -1 ? 'N/A' : text());
  return {
    Containers: unknown(image.Containers, () => String(image.Containers)),
    CreatedAt: goTime(new Date(image.Created * 1000).toISOString().replace('.000Z', 'Z')),
    CreatedSince: row.created,
    Digest: row.digest,
    ID: row.id,
    Repository: row.repository,
    SharedSize: unknown(image.SharedSize, () => humanSize(image.SharedSize, 4)),
    Size: row.size,
    Tag: row.tag,
    UniqueSize: unknown(image.SharedSize, () => humanSize(image.Size - image.SharedSize, 4)),
    VirtualSize: humanSize(image.VirtualSize ?? image.Size, 4),
  };
}

export function imageTableRows(images: ImageSummary[], now: number): string[][] {
  return [IMAGE_TABLE_HEADER, ...imageRows(images, now).map((row) => [row.repository, row.tag, row.id, row.created, row.size])];
}
