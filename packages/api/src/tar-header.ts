const TAR_BLOCK = 512;
const CHECKSUM_OFFSET = 148;
const CHECKSUM_LENGTH = 8;

/**
 * Whether `block` starts with a tar header whose checksum is right: what Go's tar reader requires of a
 * first entry, hence how docker tells a tar build context (or an ADD source) from any other file.
 */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < TAR_BLOCK || block.subarray(0, TAR_BLOCK).every((b) => b === 0)) return false;
  const field = block.subarray(CHECKSUM_OFFSET, CHECKSUM_OFFSET + CHECKSUM_LENGTH).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + CHECKSUM_LENGTH ? 0x20 : block[i]!;
  return sum === parseInt(field, 8);
}
