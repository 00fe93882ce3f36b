import { compareApiVersions } from '@berth/api';

/** Servers that announce no version predate the header: moby assumes 1.24 for them. */
const VERSION_OF_SILENT_SERVERS = '1.24';

/** The version to speak: ours, unless the server only supports an older one. */
export function negotiateApiVersion(clientVersion: string, serverVersion: string | undefined): string {
  const server = serverVersion || VERSION_OF_SILENT_SERVERS;
  return compareApiVersions(server, clientVersion) < 0 ? server : clientVersion;
}
