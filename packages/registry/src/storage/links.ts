import { PathNotFoundError, type StorageDriver } from './storage-driver.js';

/** The digest a link file names, or undefined when there is no link (or it is not a digest). */
export async function readLink(driver: StorageDriver, path: string): Promise<string | undefined> {
  try {
    const content = (await driver.getContent(path)).toString('utf8').trim();
    return content.includes(':') ? content : undefined;
  } catch (err) {
    if (err instanceof PathNotFoundError) return undefined;
    throw err;
  }
}

export async function writeLink(driver: StorageDriver, path: string, digest: string): Promise<void> {
  await driver.putContent(path, Buffer.from(digest));
}
