import { Type, type Static } from '@sinclair/typebox';
import { ContainerConfigSchema } from './container.js';
import { NullableStringList, StringList, StringMap, open } from './fragments.js';


/** One manifest of an image, as `docker image ls --tree` shows it (API 1.47, `manifests=1`). */
export const ImageManifestSummarySchema = Type.Object(
  {
    ID: Type.String(),
    Descriptor: Type.Object({ mediaType: Type.String(), digest: Type.String(), size: Type.Integer() }, open),
    Available: Type.Boolean(),
    Size: Type.Object({ Total: Type.Integer(), Content: Type.Integer() }),
    Kind: Type.Union([Type.Literal('image'), Type.Literal('attestation'), Type.Literal('unknown')]),
    ImageData: Type.Optional(
      Type.Object({
        Platform: Type.Object({ architecture: Type.String(), os: Type.String(), variant: Type.Optional(Type.String()) }, open),
        Containers: StringList,
        Size: Type.Object({ Unpacked: Type.Integer() }),
      }),
    ),
  },
  open,
);
export type ImageManifestSummary = Static<typeof ImageManifestSummarySchema>;

export const ImageSummarySchema = Type.Object(
  {
    Id: Type.String(),
    ParentId: Type.String(),
    RepoTags: StringList,
    RepoDigests: StringList,
    Created: Type.Integer(),
    Size: Type.Integer(),
    SharedSize: Type.Integer(),
    VirtualSize: Type.Optional(Type.Integer()),
    Labels: StringMap,
    Containers: Type.Integer(),
    Manifests: Type.Optional(Type.Array(ImageManifestSummarySchema)),
  },
  open,
);
export type ImageSummary = Static<typeof ImageSummarySchema>;

export const ImageInspectSchema = Type.Object(
  {
    Id: Type.String(),
    RepoTags: StringList,
    RepoDigests: StringList,
    Parent: Type.String(),
    Comment: Type.String(),
    Created: Type.String(),
    DockerVersion: Type.String(),
    Author: Type.String(),
    Config: Type.Union([ContainerConfigSchema, Type.Null()]),
    Architecture: Type.String(),
    Variant: Type.Optional(Type.String()),
    Os: Type.String(),
    Size: Type.Integer(),
    VirtualSize: Type.Optional(Type.Integer()),
    GraphDriver: Type.Object({ Name: Type.String(), Data: Type.Union([StringMap, Type.Null()]) }),
    RootFS: Type.Object({ Type: Type.String(), Layers: StringList }),
    Metadata: Type.Object({ LastTagTime: Type.Optional(Type.String()) }, open),
    /** Deprecated: for API < 1.45 only (docker-compose 1.29 reads ContainerConfig). */
    Container: Type.Optional(Type.String()),
    ContainerConfig: Type.Optional(ContainerConfigSchema),
  },
  open,
);
export type ImageInspect = Static<typeof ImageInspectSchema>;

/** One row of GET /images/{name}/history, newest first. */
export const ImageHistoryItemSchema = Type.Object({
  Id: Type.String(),
  Created: Type.Integer(),
  CreatedBy: Type.String(),
  Tags: NullableStringList,
  Size: Type.Integer(),
  Comment: Type.String(),
});
export type ImageHistoryItem = Static<typeof ImageHistoryItemSchema>;

/** `GET /distribution/{name}/json`: the descriptor the registry has for a reference, and the platforms it serves. */
export const DistributionInspectSchema = Type.Object(
  {
    Descriptor: Type.Object({ mediaType: Type.String(), digest: Type.String(), size: Type.Integer() }, open),
    Platforms: Type.Array(
      Type.Object(
        {
          architecture: Type.String(),
          os: Type.String(),
          variant: Type.Optional(Type.String()),
          'os.version': Type.Optional(Type.String()),
          'os.features': Type.Optional(Type.Array(Type.String())),
        },
        open,
      ),
    ),
  },
  open,
);
export type DistributionInspect = Static<typeof DistributionInspectSchema>;
