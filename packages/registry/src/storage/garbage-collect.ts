import { readLink, writeLink } from './links.js';
import { parseManifest, schema1Layers } from './manifest-format.js';
import { BLOBS_ROOT, blobDataPath, blobDir, layerLinkDir, layerLinkPath, layersPath, revisionLinkDir, revisionLinkPath, revisionsPath, tagCurrentLinkPath, tagIndexLinkDir, tagsPath } from './paths.js';
import { listRepositories } from './repositories.js';
import { PathNotFoundError, type StorageDriver } from './storage-driver.js';

export interface GarbageCollectOptions {
  /** Report what would be deleted, delete nothing. */
  dryRun: boolean;
  /** Also delete manifests no tag reaches (directly or as a child of a tagged index), as the Go registry's `--delete-untagged`. */
  deleteUntagged: boolean;
  /** Anything written less than this long before the run started is left alone (milliseconds). */
  graceMs: number;
  /** One line per thing marked for deletion, as the Go registry prints them. */
  log?: (line: string) => void;
}

export interface GarbageCollectReport {
  markedBlobs: number;
  manifests: Array<{ repository: string; digest: string }>;
  blobs: Array<{ digest: string; size: number }>;
  layerLinks: Array<{ repository: string; digest: string }>;
  bytesFreed: number;
}

const DIGEST_HEX = /^[a-f0-9]{64}$/;

const ASIDE = '.gc';

/** Where a blob waits while the second mark decides whether it goes: a sibling no digest lookup finds. */
function asideDir(digest: string): string {
  return `${blobDir(digest)}${ASIDE}`;
}

async function content(driver: StorageDriver, path: string): Promise<Buffer | undefined> {
  try {
    return await driver.getContent(path);
  } catch (err) {
    if (err instanceof PathNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Mark and sweep over the Go registry's layout, safe while the registry keeps serving pushes (the Go
 * registry needs read-only mode for this).
 *
 * Mark: every repository's manifest revisions (with `deleteUntagged`, only those a tag reaches), each
 * with its config, layers, subject and, for an index, its children, recursively.
 *
 * Safety rule: a push links its blobs first and puts its manifest last, so a blob an in-flight push
 * needs may have no manifest yet. Nothing whose data file, `_layers` link or revision link was written
 * less than `graceMs` before the run started is deleted, nor an untagged manifest whose revision is
 * that young; `_uploads` are never touched. A push slower than the grace period between its first
 * blob and its manifest is what the Go registry's read-only mode would have refused anyway.
 *
 * A blob older than that may still be taken by a push during the run (a client that found it by
 * HEAD). So the sweep first moves each unmarked blob aside (`<hex>.gc`, atomically), then marks again
 * from the revisions that appeared during the run and from young links, puts back what they name (an
 * untagged child revision removed in this run included) and deletes the rest; a run that stopped
 * midway has its blobs put back by the next. The server re-checks a manifest's blobs and content
 * after linking its revision and an upload's content after linking it, so a push racing the move is
 * either seen by the second mark or made whole again, or it fails cleanly (MANIFEST_BLOB_UNKNOWN, the
 * client pushes again); a stored manifest never loses a blob.
 */
export async function garbageCollect(driver: StorageDriver, options: GarbageCollectOptions): Promise<GarbageCollectReport> {
  const log = options.log ?? (() => undefined);
  const cutoff = Date.now() - options.graceMs;
  const isYoung = async (path: string): Promise<boolean> => {
    const info = await driver.stat(path);
    return info !== undefined && info.modified.getTime() >= cutoff;
  };
  const marked = new Set<string>();
  // Every manifest digest whose references are marked, by repository.
  const visited = new Map<string, Set<string>>();
  const youngLinks = new Set<string>();
  const layerLinks = new Map<string, string[]>();
  // `repository@digest` of the untagged revisions removed.
  const removed = new Set<string>();
  const report: GarbageCollectReport = { markedBlobs: 0, manifests: [], blobs: [], layerLinks: [], bytesFreed: 0 };

  const markManifest = async (repository: string, digest: string): Promise<void> => {
    const seen = visited.get(repository) ?? new Set<string>();
    visited.set(repository, seen);
    if (seen.has(digest)) return;
    seen.add(digest);
    marked.add(digest);
    // During the sweep a manifest stored meanwhile may name blobs, itself included, that are aside.
    const body = (await content(driver, blobDataPath(digest))) ?? (await content(driver, `${asideDir(digest)}/data`));
    if (body === undefined) return;
    let manifest;
    try {
      manifest = parseManifest(body, '');
    } catch (err) {
      // A schema1 manifest (a Go registry's older data) is kept with its layers.
      const layers = schema1Layers(body);
      if (layers === undefined) throw new Error(`${repository}: cannot read manifest ${digest}, nothing deleted: ${(err as Error).message}`);
      for (const blob of layers) marked.add(blob);
      return;
    }
    for (const blob of [...manifest.blobs, ...manifest.foreign]) marked.add(blob);
    if (manifest.subject !== undefined) marked.add(manifest.subject);
    for (const child of manifest.children) {
      // An index stored during the run may name a child whose untagged revision this run removed: it gets it back.
      if (removed.delete(`${repository}@${child}`)) {
        await writeLink(driver, revisionLinkPath(repository, child), child);
        report.manifests = report.manifests.filter((entry) => entry.repository !== repository || entry.digest !== child);
      }
      await markManifest(repository, child);
    }
  };

  const revisions = async (repository: string): Promise<string[]> => {
    const found: string[] = [];
    for (const hex of (await driver.list(revisionsPath(repository))).sort()) {
      const digest = `sha256:${hex}`;
      if (DIGEST_HEX.test(hex) && (await readLink(driver, revisionLinkPath(repository, digest))) === digest) found.push(digest);
    }
    return found;
  };

  // A run that stopped midway left blobs aside: they go back, to be judged again.
  for (const prefix of await driver.list(`${BLOBS_ROOT}/sha256`)) {
    for (const entry of await driver.list(`${BLOBS_ROOT}/sha256/${prefix}`)) {
      const hex = entry.slice(0, -ASIDE.length);
      if (!entry.endsWith(ASIDE) || !DIGEST_HEX.test(hex)) continue;
      const digest = `sha256:${hex}`;
      if ((await driver.stat(blobDataPath(digest))) === undefined) await driver.move(asideDir(digest), blobDir(digest));
      else await driver.delete(asideDir(digest));
    }
  }

  // Mark.
  const repositories = await listRepositories(driver);
  const untagged: Array<{ repository: string; digest: string }> = [];
  for (const repository of repositories) {
    const all = await revisions(repository);
    for (const digest of all) if (await isYoung(revisionLinkPath(repository, digest))) youngLinks.add(digest);
    let roots = all;
    if (options.deleteUntagged) {
      const tagged = new Set<string>();
      for (const tag of await driver.list(tagsPath(repository))) {
        const current = await readLink(driver, tagCurrentLinkPath(repository, tag));
        if (current !== undefined) tagged.add(current);
      }
      roots = all.filter((digest) => tagged.has(digest) || youngLinks.has(digest));
    }
    for (const digest of roots) await markManifest(repository, digest);
    const kept = visited.get(repository);
    for (const digest of all) if (!kept?.has(digest)) untagged.push({ repository, digest });
    for (const hex of await driver.list(`${layersPath(repository)}/sha256`)) {
      const digest = `sha256:${hex}`;
      if (!DIGEST_HEX.test(hex)) continue;
      if (await isYoung(layerLinkPath(repository, digest))) youngLinks.add(digest);
      layerLinks.set(digest, [...(layerLinks.get(digest) ?? []), repository]);
    }
  }

  // Untagged manifests: removed with their tags' index entries, unless re-tagged or re-pushed meanwhile.
  for (const { repository, digest } of untagged) {
    const tags = await driver.list(tagsPath(repository));
    if (!options.dryRun) {
      const retagged = await Promise.all(tags.map(async (tag) => (await readLink(driver, tagCurrentLinkPath(repository, tag))) === digest));
      if (retagged.includes(true) || (await isYoung(revisionLinkPath(repository, digest)))) {
        await markManifest(repository, digest);
        continue;
      }
    }
    log(`${repository}: manifest eligible for deletion: ${digest}`);
    report.manifests.push({ repository, digest });
    if (options.dryRun) continue;
    for (const tag of tags) await driver.delete(tagIndexLinkDir(repository, tag, digest));
    await driver.delete(revisionLinkDir(repository, digest));
    removed.add(`${repository}@${digest}`);
  }
  report.markedBlobs = marked.size;

  // Candidates: unmarked blobs whose data and links are all older than the grace period.
  const candidates: Array<{ digest: string; size: number }> = [];
  for (const prefix of (await driver.list(`${BLOBS_ROOT}/sha256`)).sort()) {
    for (const hex of (await driver.list(`${BLOBS_ROOT}/sha256/${prefix}`)).sort()) {
      const digest = `sha256:${hex}`;
      if (!DIGEST_HEX.test(hex) || marked.has(digest) || youngLinks.has(digest)) continue;
      const info = await driver.stat(blobDataPath(digest));
      if (info === undefined || info.isDirectory || info.modified.getTime() >= cutoff) continue;
      candidates.push({ digest, size: info.size });
    }
  }
  if (options.dryRun) {
    for (const blob of candidates) {
      log(`blob eligible for deletion: ${blob.digest}`);
      report.blobs.push(blob);
      for (const repository of layerLinks.get(blob.digest) ?? []) {
        log(`${repository}: layer link eligible for deletion: ${blob.digest}`);
        report.layerLinks.push({ repository, digest: blob.digest });
      }
    }
    report.bytesFreed = report.blobs.reduce((sum, blob) => sum + blob.size, 0);
    return report;
  }

  // Sweep: move aside, mark again from what appeared meanwhile, put back what is needed, delete the rest.
  // A push that links a candidate now (say, an upload that found it stored) keeps it, rather than being refused while it is aside.
  const current = await listRepositories(driver);
  const aside: typeof candidates = [];
  for (const candidate of candidates) {
    const linked = await Promise.all(current.map((repository) => isYoung(layerLinkPath(repository, candidate.digest))));
    if (linked.includes(true)) continue;
    await driver.move(blobDir(candidate.digest), asideDir(candidate.digest));
    aside.push(candidate);
  }
  for (const repository of await listRepositories(driver)) {
    const seen = visited.get(repository);
    for (const digest of await revisions(repository)) {
      if (!seen?.has(digest)) await markManifest(repository, digest);
    }
    for (const hex of await driver.list(`${layersPath(repository)}/sha256`)) {
      if (DIGEST_HEX.test(hex) && (await isYoung(layerLinkPath(repository, `sha256:${hex}`)))) marked.add(`sha256:${hex}`);
    }
  }
  for (const blob of aside) {
    const { digest } = blob;
    const back = (await driver.stat(blobDataPath(digest))) !== undefined;
    if (marked.has(digest) && !back) {
      await driver.move(asideDir(digest), blobDir(digest));
      continue;
    }
    // Either needed and uploaded again meanwhile, or not needed: this copy goes.
    await driver.delete(asideDir(digest));
    if (marked.has(digest) || back) continue;
    log(`blob eligible for deletion: ${digest}`);
    report.blobs.push(blob);
    report.bytesFreed += blob.size;
    // A link is dropped only while the content is still gone and the link old: an upload may be putting both back.
    for (const repository of layerLinks.get(digest) ?? []) {
      if ((await driver.stat(blobDataPath(digest))) !== undefined || (await isYoung(layerLinkPath(repository, digest)))) continue;
      log(`${repository}: layer link eligible for deletion: ${digest}`);
      report.layerLinks.push({ repository, digest });
      await driver.delete(layerLinkDir(repository, digest));
    }
  }
  return report;
}
