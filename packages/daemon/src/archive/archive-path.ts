import { normaliseRootPath } from '@berth/layer';

/**
 * The last element of a path as Go's filepath.Base gives it, which Docker's archive routes name entries
 * by: trailing slashes do not count, all slashes is `/`, and `/d/.` is `.`.
 */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path === '' ? '.' : '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/**
 * A path of the archive routes as Docker reads it: absolute in the container and cleaned lexically (a
 * `..` undoes the name before it whatever that is), yet keeping what the cleaning would lose and the
 * client meant: a trailing `/` (a directory is required) and a trailing `/.` (a directory's contents).
 */
export function containerArchivePath(path: string): string {
  let cleaned = normaliseRootPath(path);
  if (baseName(path) === '.' && baseName(cleaned) !== '.') cleaned = `${cleaned === '/' ? '' : cleaned}/.`;
  if (path.endsWith('/') && !cleaned.endsWith('/')) cleaned += '/';
  return cleaned;
}
