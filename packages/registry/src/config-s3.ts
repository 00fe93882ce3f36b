import { childNode, RegistryConfigError } from './config.js';
import type { S3DriverOptions } from './storage/s3-driver.js';

/** The Go registry's `storage.s3` keys that we honour; any other is warned about like every unknown key. */
export const S3_CONFIG_KEYS = {
  accesskey: true,
  secretkey: true,
  region: true,
  regionendpoint: true,
  bucket: true,
  rootdirectory: true,
  forcepathstyle: true,
  secure: true,
  chunksize: true,
} as const;

// Go's floor for `chunksize`: S3 refuses a multipart upload's parts below 5 MiB, but for the last.
const MIN_CHUNK_SIZE = 5 * 1024 * 1024;

/**
 * `storage.s3` as S3 driver options, or undefined when it is absent. Exactly one storage driver may be
 * configured, so it is refused beside `storage.filesystem`.
 */
export function parseS3Storage(storage: Record<string, unknown> | undefined, source: string): S3DriverOptions | undefined {
  const s3 = storage && childNode(storage, 's3', source, 'storage.');
  if (!s3) return undefined;
  if (storage.filesystem !== undefined) throw new RegistryConfigError(`${source}: storage: configure storage.filesystem or storage.s3, not both`);
  const text = (key: string, required: boolean): string | undefined => {
    const value = s3[key];
    if (value === undefined || value === null) {
      if (required) throw new RegistryConfigError(`${source}: storage.s3.${key}: required`);
      return undefined;
    }
    if (typeof value !== 'string' || value === '') throw new RegistryConfigError(`${source}: storage.s3.${key}: must be a non-empty string`);
    return value;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const value = s3[key] ?? fallback;
    if (typeof value !== 'boolean') throw new RegistryConfigError(`${source}: storage.s3.${key}: must be true or false`);
    return value;
  };
  const accessKey = text('accesskey', false);
  const secretKey = text('secretkey', false);
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw new RegistryConfigError(`${source}: storage.s3: accesskey and secretkey go together (neither uses the AWS default credentials)`);
  }
  const chunkSize = s3.chunksize ?? undefined;
  if (chunkSize !== undefined && (!Number.isSafeInteger(chunkSize) || (chunkSize as number) < MIN_CHUNK_SIZE)) {
    throw new RegistryConfigError(`${source}: storage.s3.chunksize: must be a whole number of bytes, at least ${MIN_CHUNK_SIZE}`);
  }
  const secure = flag('secure', true);
  const endpoint = text('regionendpoint', false);
  return {
    bucket: text('bucket', true)!,
    region: text('region', true)!,
    // Go takes an endpoint without a scheme as a host, reached over HTTPS unless `secure: false`.
    endpoint: endpoint && !/^https?:\/\//.test(endpoint) ? `${secure ? 'https' : 'http'}://${endpoint}` : endpoint,
    forcePathStyle: flag('forcepathstyle', false),
    secure,
    credentials: accessKey === undefined ? undefined : { accessKeyId: accessKey, secretAccessKey: secretKey! },
    rootDirectory: text('rootdirectory', false),
    chunkSize: chunkSize as number | undefined,
  };
}
