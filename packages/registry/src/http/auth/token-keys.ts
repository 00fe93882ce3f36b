import { createPrivateKey, createPublicKey, createSecretKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export class TokenKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenKeyError';
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** The keys a token may be signed with: each certificate's or public key's in a PEM bundle (RSA or EC). */
export async function loadVerificationKeys(path: string): Promise<KeyObject[]> {
  const text = await readKeyFile(path);
  const keys = [...text.matchAll(PEM_BLOCK)].flatMap(([block, label]) => {
    try {
      if (label === 'CERTIFICATE') return [new X509Certificate(block).publicKey];
      if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') return [createPublicKey(block)];
    } catch (err) {
      throw new TokenKeyError(`${path}: ${label}: ${(err as Error).message}`);
    }
    return [];
  });
  if (keys.length === 0) throw new TokenKeyError(`${path}: no CERTIFICATE or PUBLIC KEY in PEM`);
  return keys;
}

/** A shared HMAC secret: the file's bytes, a trailing newline dropped. */
export async function loadSecret(path: string): Promise<KeyObject> {
  const secret = (await readKeyFile(path)).replace(/\r?\n$/, '');
  if (secret.length < 32) throw new TokenKeyError(`${path}: an HMAC secret must be at least 32 bytes`);
  return createSecretKey(Buffer.from(secret));
}

/** A PEM private key (RSA or EC) to sign tokens with. */
export async function loadSigningKey(path: string): Promise<KeyObject> {
  try {
    return createPrivateKey(await readKeyFile(path));
  } catch (err) {
    if (err instanceof TokenKeyError) throw err;
    throw new TokenKeyError(`${path}: not a PEM private key: ${(err as Error).message}`);
  }
}

/** The JWS algorithm a key signs with: HS256, RS256, or ES256/384/512 by the curve. */
export function signingAlgorithm(key: KeyObject): string {
  if (key.type === 'secret') return 'HS256';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const es = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }[curve ?? ''];
  if (key.asymmetricKeyType === 'ec' && es) return es;
  throw new TokenKeyError(`unsupported signing key type ${key.asymmetricKeyType ?? key.type}${curve ? ` (${curve})` : ''}`);
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new TokenKeyError(`${path}: ${(err as Error).message}`);
  }
}
