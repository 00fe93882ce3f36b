import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll } from 'vitest';
import type { S3DriverOptions } from '../s3-driver.js';

/** A real S3-compatible server (s3rver) on loopback, on a free port, keeping its objects in a temp directory. */
export interface TestS3Server {
  /** Driver options for the server's bucket under a fresh root directory, so tests do not see each other's objects. */
  driverOptions(): S3DriverOptions;
  stop(): Promise<void>;
}

const BUCKET = 'berth-registry';

export async function startTestS3Server(): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'berth-registry-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: BUCKET }] });
  listAsS3Does(server);
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (err) {
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
  return {
    driverOptions: () => ({
      bucket: BUCKET,
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      // s3rver's built-in account.
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      rootDirectory: `/tests/${randomUUID()}`,
    }),
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** One server for the enclosing describe (or file): started before its tests, stopped and removed after. */
export function useTestS3Server(): { readonly server: TestS3Server } {
  let current: TestS3Server | undefined;
  beforeAll(async () => {
    current = await startTestS3Server();
  });
  afterAll(() => current?.stop());
  return {
    get server() {
      if (current === undefined) throw new Error('useTestS3Server() is read only inside a test');
      return current;
    },
  };
}

interface StoredObject {
  key: string;
}
interface ListOptions {
  delimiter?: string;
  prefix?: string;
  maxKeys?: number;
}
interface ListResult {
  objects: StoredObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
}
interface Store {
  listObjects(bucket: string, options: ListOptions): Promise<ListResult>;
}

/**
 * s3rver 3.7 stops its directory walk one level below the prefix when a delimiter is given, so a
 * "directory" whose objects all sit two or more levels down (`blobs/sha256/ab/<hex>/data` listed from
 * `blobs/sha256/`) is missing from CommonPrefixes, where S3 lists it. Its store lists without the
 * delimiter here and groups the keys as S3 does (in one page: the tests' trees are small).
 */
function listAsS3Does(server: S3rver): void {
  const store = (server as unknown as { store: Store }).store;
  const list = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const { delimiter, prefix = '' } = options;
    if (!delimiter) return list(bucket, options);
    const all = await list(bucket, { ...options, delimiter: '', maxKeys: Number.POSITIVE_INFINITY });
    const objects: StoredObject[] = [];
    const commonPrefixes = new Set<string>();
    for (const object of all.objects) {
      const at = object.key.indexOf(delimiter, prefix.length);
      if (at === -1) objects.push(object);
      else commonPrefixes.add(object.key.slice(0, at + delimiter.length));
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated: false };
  };
}
