import type { Response } from 'undici';
import { RegistryClientError } from './registry-client-error.js';

/**
 * A response's body, refused (and the rest of it cancelled) as soon as it passes `limit` bytes: a
 * hostile registry or token server cannot make the client hold more than that.
 */
export async function readBounded(response: Response, limit: number, what: string): Promise<Buffer> {
  const tooLarge = () => new RegistryClientError(`${what}: larger than ${limit} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(Buffer.from(value));
  }
}

/** The body as JSON, bounded like readBounded; a RegistryClientError when it is not JSON. */
export async function readBoundedJson(response: Response, limit: number, what: string): Promise<unknown> {
  const body = await readBounded(response, limit, what);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new RegistryClientError(`${what}: not JSON`);
  }
}
