import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { sha256Digest } from '@berth/reference';
import { describe, expect, it } from 'vitest';
import { verifiedStream } from './verified-stream.js';

const source = (...chunks: string[]) => Readable.from(chunks.map((chunk) => Buffer.from(chunk)));

describe('verifiedStream', () => {
  it('passes matching content through whole', async () => {
    const digest = sha256Digest('abcdef');
    expect((await buffer(source('ab', 'cd', 'ef').pipe(verifiedStream(digest, 6)))).toString()).toBe('abcdef');
    expect((await buffer(source().pipe(verifiedStream(sha256Digest(''))))).toString()).toBe('');
  });

  it('fails on content that does not hash to the digest, without ever passing on all of it', async () => {
    const seen: Buffer[] = [];
    const verified = source('ab', 'cd', 'xx').pipe(verifiedStream(sha256Digest('abcdef'), 6));
    verified.on('data', (chunk: Buffer) => seen.push(chunk));
    await expect(new Promise((resolve, reject) => verified.on('end', resolve).on('error', reject))).rejects.toThrow(/hashes to/);
    expect(Buffer.concat(seen).toString()).toBe('abcd');
  });

  it('fails on a size other than the one announced', async () => {
    await expect(buffer(source('abc').pipe(verifiedStream(sha256Digest('abc'), 4)))).rejects.toThrow(/3 bytes received, 4 announced/);
    await expect(buffer(source('abcde').pipe(verifiedStream(sha256Digest('abcde'), 4)))).rejects.toThrow(/more than the 4 bytes/);
  });
});
