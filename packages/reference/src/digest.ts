import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@berth/api';

/** A content digest such as `sha256:<64 hex>`. */
export interface Digest {
  algorithm: string;
  hex: string;
}

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** The algorithms go-digest registers, with the length of their hex encoding. */
const HEX_LENGTH = new Map<string, number>([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

// go-digest's general digest shape: used only to tell "unknown algorithm" from "not a digest at all".
const ANY_DIGEST_PATTERN = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const LOWER_HEX_PATTERN = /^[a-f0-9]+$/;

/** Returns go-digest's validation message for `s`, or undefined when `s` is a valid digest. */
function digestProblem(s: string): string | undefined {
  const colon = s.indexOf(':');
  if (colon <= 0 || colon === s.length - 1) return 'invalid checksum digest format';
  const expectedLength = HEX_LENGTH.get(s.slice(0, colon));
  if (expectedLength === undefined) {
    return ANY_DIGEST_PATTERN.test(s) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  }
  const hex = s.slice(colon + 1);
  if (hex.length !== expectedLength) return 'invalid checksum digest length';
  if (!LOWER_HEX_PATTERN.test(hex)) return 'invalid checksum digest format';
  return undefined;
}

/** Parses and validates `algorithm:hex` (sha256, sha384 or sha512, lowercase hex of the right length). */
export function parseDigest(s: string): Digest {
  const problem = digestProblem(s);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  const colon = s.indexOf(':');
  return { algorithm: s.slice(0, colon), hex: s.slice(colon + 1) };
}

export function isDigest(s: string): boolean {
  return digestProblem(s) === undefined;
}

export function digestString(digest: Digest): string {
  return `${digest.algorithm}:${digest.hex}`;
}

/** `sha256:<hex>` of `data`; strings are hashed as UTF-8. */
export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface Digester {
  update(chunk: Buffer | Uint8Array | string): void;
  /** The digest of everything written so far, as `algorithm:hex`; call once, after the last update. */
  digest(): string;
}

/** A streaming digester, so large blobs are verified without being held in memory. */
export function createDigester(algorithm: DigestAlgorithm = 'sha256'): Digester {
  const hash = createHash(algorithm);
  return {
    update(chunk) {
      hash.update(chunk);
    },
    digest() {
      return `${algorithm}:${hash.digest('hex')}`;
    },
  };
}
