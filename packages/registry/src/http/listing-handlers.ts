import type { Descriptor } from '../registry-backend.js';
import type { Handler } from './handler.js';
import { paginate } from './pagination.js';
import { checkDigest } from './route-path.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** `/v2/` itself: 200 `{}`, the version check every client makes first. */
export const base: Handler<unknown> = async ({ reply }) => reply.send({});

export const catalog: Handler<unknown> = async ({ backend, reply, query }) => {
  const page = paginate(await backend.repositories(), '/v2/_catalog', query);
  if (page.link) void reply.header('Link', page.link);
  return reply.send({ repositories: page.items });
};

export const tags: Handler<{ name: string }> = async ({ backend, reply, query }, { name }) => {
  const page = paginate(await backend.tags(name), `/v2/${name}/tags/list`, query);
  if (page.link) void reply.header('Link', page.link);
  return reply.send({ name, tags: page.items });
};

/** The manifests whose subject is the digest, as an OCI index; `artifactType` filters them and says so in `OCI-Filters-Applied`. */
export const referrers: Handler<{ name: string; digest: string }> = async ({ backend, reply, query }, { name, digest }) => {
  checkDigest(digest);
  let manifests: Descriptor[] = await backend.referrers(name, digest);
  if (query.artifactType !== undefined) {
    manifests = manifests.filter((descriptor) => descriptor.artifactType === query.artifactType);
    void reply.header('OCI-Filters-Applied', 'artifactType');
  }
  // As bytes: fastify would add a charset to the media type of an object or a string.
  return reply.header('Content-Type', OCI_INDEX).send(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })));
};
