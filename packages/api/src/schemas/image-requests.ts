import { Type, type Static } from '@sinclair/typebox';
import { open } from './fragments.js';
import { QueryBool, QueryFilters, QueryList, QueryText } from './query.js';

/** Query strings of the image routes (v1.47). */

export const ImageListQuerySchema = Type.Object(
  {
    all: Type.Optional(QueryBool),
    filters: Type.Optional(QueryFilters),
    'shared-size': Type.Optional(QueryBool),
    digests: Type.Optional(QueryBool),
    manifests: Type.Optional(QueryBool),
  },
  open,
);
export type ImageListQuery = Static<typeof ImageListQuerySchema>;

export const ImageSaveQuerySchema = Type.Object({ names: Type.Optional(QueryList), platform: Type.Optional(QueryText) }, open);
export type ImageSaveQuery = Static<typeof ImageSaveQuerySchema>;

export const ImageLoadQuerySchema = Type.Object({ quiet: Type.Optional(QueryBool), platform: Type.Optional(QueryText) }, open);
export type ImageLoadQuery = Static<typeof ImageLoadQuerySchema>;

/** POST /images/{name}/tag (`repo`, `tag`) and /images/{name}/push (`tag`, `platform`): one wildcard route serves both. */
export const ImageTagQuerySchema = Type.Object({ repo: Type.Optional(QueryText), tag: Type.Optional(QueryText), platform: Type.Optional(QueryText) }, open);
export type ImageTagQuery = Static<typeof ImageTagQuerySchema>;

export const ImageRemoveQuerySchema = Type.Object({ force: Type.Optional(QueryBool), noprune: Type.Optional(QueryBool) }, open);
export type ImageRemoveQuery = Static<typeof ImageRemoveQuerySchema>;

/** POST /images/create: pull (fromImage) or import (fromSrc). */
export const ImageCreateQuerySchema = Type.Object(
  {
    fromImage: Type.Optional(QueryText),
    fromSrc: Type.Optional(QueryText),
    repo: Type.Optional(QueryText),
    tag: Type.Optional(QueryText),
    message: Type.Optional(QueryText),
    changes: Type.Optional(QueryList),
    platform: Type.Optional(QueryText),
  },
  open,
);
export type ImageCreateQuery = Static<typeof ImageCreateQuerySchema>;

/** POST /commit; its body is a container config (ContainerConfigSchema) whose fields override the container's. */
export const CommitQuerySchema = Type.Object(
  {
    container: Type.Optional(QueryText),
    repo: Type.Optional(QueryText),
    tag: Type.Optional(QueryText),
    comment: Type.Optional(QueryText),
    author: Type.Optional(QueryText),
    pause: Type.Optional(QueryBool),
    changes: Type.Optional(QueryList),
  },
  open,
);
export type CommitQuery = Static<typeof CommitQuerySchema>;
