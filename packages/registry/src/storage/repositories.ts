import { layersPath, manifestsPath, REPOSITORIES_ROOT } from './paths.js';
import type { StorageDriver } from './storage-driver.js';

/** A repository exists once it links a blob or holds a manifest (uploads alone do not make one). */
export async function repositoryExists(driver: StorageDriver, name: string): Promise<boolean> {
  const [manifests, layers] = await Promise.all([driver.stat(manifestsPath(name)), driver.stat(layersPath(name))]);
  return Boolean(manifests?.isDirectory || layers?.isDirectory);
}

/**
 * Every repository under the root, sorted: the directories with a `_manifests` or `_layers` entry.
 * `_`-prefixed directories are a repository's own data; other children may be nested repositories.
 */
export async function listRepositories(driver: StorageDriver): Promise<string[]> {
  const found: string[] = [];
  await walkRepositoryTree(driver, (name, entries) => {
    if (entries.includes('_manifests') || entries.includes('_layers')) found.push(name);
  });
  return found.sort();
}

/** Visits every directory under the repositories root with its entries (a repository's or a parent's). */
export async function walkRepositoryTree(driver: StorageDriver, visit: (name: string, entries: string[]) => void | Promise<void>): Promise<void> {
  const walk = async (relative: string): Promise<void> => {
    const entries = await driver.list(relative === '' ? REPOSITORIES_ROOT : `${REPOSITORIES_ROOT}/${relative}`);
    if (relative !== '') await visit(relative, entries);
    for (const entry of entries) {
      if (entry.startsWith('_')) continue;
      await walk(relative === '' ? entry : `${relative}/${entry}`);
    }
  };
  await walk('');
}
