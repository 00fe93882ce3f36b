import { Type, type Static } from '@sinclair/typebox';
import { open } from './fragments.js';

// Query strings and path parameters arrive as strings (fastify does not coerce them), so their schemas
// describe strings; `description` is what a validation error says was expected.

/** Docker's boolean query values (moby's httputils.BoolValue), spelled out because JSON Schema patterns have no case flag. */
export const QueryBool = Type.String({
  pattern: '^(?:|0|1|[Tt]rue|TRUE|[Ff]alse|FALSE|[Yy]es|YES|[Nn]o|NO|[Nn]one|NONE)$',
  description: 'a boolean (1, true, 0 or false)',
});
export const QueryInt = Type.String({ pattern: '^(?:-?[0-9]{1,15})?$', description: 'an integer' });
export const QueryText = Type.String();
/** A parameter that may repeat (`?names=a&names=b`). */
export const QueryList = Type.Union([Type.String(), Type.Array(Type.String())], { description: 'a string, or the parameter repeated' });
/** The JSON `filters` parameter; its content is checked where it is parsed. */
export const QueryFilters = Type.String({ description: 'JSON-encoded filters' });

/**
 * How much of a request line and headers the engine reads, as dockerd: Go's DefaultMaxHeaderBytes (1 MiB)
 * plus the 4 KiB it allows on top. Container names have no length limit of their own in Docker, so a
 * name or ID in a path is bounded by this alone.
 */
export const MAX_REQUEST_HEAD_BYTES = 1024 * 1024 + 4096;

/** A container, exec, volume or image reference in a path: never empty, no control characters (its length is bounded by MAX_REQUEST_HEAD_BYTES). */
const PathRef = Type.String({ pattern: '^[^\\x00-\\x1f\\x7f]+$', description: 'a name or ID' });

export const IdParamsSchema = Type.Object({ id: PathRef });
export type IdParams = Static<typeof IdParamsSchema>;

export const NameParamsSchema = Type.Object({ name: PathRef });
export type NameParams = Static<typeof NameParamsSchema>;

/** Image routes match `/images/*` because image names contain slashes. */
export const WildcardParamsSchema = Type.Object({ '*': PathRef });
export type WildcardParams = Static<typeof WildcardParamsSchema>;

/** The query of a route that takes no parameters; unknown ones are ignored, as Docker ignores them. */
export const NoQuerySchema = Type.Object({}, open);

/**
 * The body of a POST that reads none. Docker does not read it either, and dockerode repeats a call's
 * query options there, so any JSON is taken (and an empty body).
 */
export const UnreadBodySchema = Type.Unknown({ description: 'anything: this route reads no body' });

/** A body that is a raw stream such as a tar archive: it reaches validation only as `null`, so JSON is refused. */
export const StreamBodySchema = Type.Null({ description: 'a raw stream (sent with a non-JSON content type)' });

export const FiltersQuerySchema = Type.Object({ filters: Type.Optional(QueryFilters) }, open);
export type FiltersQuery = Static<typeof FiltersQuerySchema>;

