import { createHash } from 'node:crypto';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findLeftovers, type TestDaemon } from '../harness.js';

const ID = /^[a-f0-9]{64}$/;

const sha256 = (data: string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** The chain IDs of a layer stack, bottom first (moby's layer.CreateChainID). */
export function chainIdsOf(diffIds: string[]): string[] {
  const chain: string[] = [];
  for (const diffId of diffIds) chain.push(chain.length === 0 ? diffId : sha256(`${chain.at(-1)} ${diffId}`));
  return chain;
}

async function entriesOf(dir: string): Promise<string[]> {
  return readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
}

/** Chain IDs each stored image config (listed, tagged or a build's intermediate) stands on, by image ID. */
async function storedImageChains(dataRoot: string): Promise<Map<string, string[]>> {
  const dir = join(dataRoot, 'image/blobs/sha256');
  const chains = new Map<string, string[]>();
  for (const hex of (await entriesOf(dir)).filter((name) => ID.test(name))) {
    const config = JSON.parse(await readFile(join(dir, hex), 'utf8')) as { rootfs?: { diff_ids?: string[] } };
    chains.set(`sha256:${hex}`, chainIdsOf(config.rootfs?.diff_ids ?? []));
  }
  return chains;
}

/** Waits (bounded) for the trash a killed removal left to be emptied by the restarted daemon. */
async function trashEmptied(dataRoot: string): Promise<boolean> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if ((await entriesOf(join(dataRoot, 'containers/.trash'))).length === 0) return true;
    await sleep(100);
  }
  return false;
}

/**
 * What a restarted daemon's stores must look like, whatever instant the previous one died at: every
 * container inspects; mounts, conmons and runtime state belong to running containers; container
 * dirs are the listed containers; every stored image inspects and has all its layers; no layer dir is
 * unreferenced; no staging debris. Returns the problems found (none when consistent).
 */
export async function storeProblems(d: TestDaemon): Promise<string[]> {
  const problems: string[] = [];
  const listed = new Set<string>();
  const running = new Set<string>();
  for (const summary of await d.docker.listContainers({ all: true })) {
    listed.add(summary.Id);
    try {
      const { State } = await d.docker.getContainer(summary.Id).inspect();
      if (State.Running) running.add(summary.Id);
    } catch (err) {
      problems.push(`listed container ${summary.Id} does not inspect: ${String(err)}`);
    }
  }

  const leftovers = await findLeftovers(d.root);
  for (const mount of leftovers.mounts) {
    if (![...running].some((id) => mount.includes(id))) problems.push(`mount of no running container: ${mount}`);
  }
  for (const pid of leftovers.conmons) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline !== '' && ![...running].some((id) => cmdline.includes(id))) problems.push(`conmon ${pid} of no running container: ${cmdline.replace(/\0/g, ' ').slice(0, 200)}`);
  }
  for (const state of leftovers.runtimeState) {
    if (!running.has(state)) problems.push(`runtime state of no running container: ${state}`);
  }
  const containerDirs = (await entriesOf(join(d.dataRoot, 'containers'))).filter((name) => ID.test(name));
  for (const dir of containerDirs) if (!listed.has(dir)) problems.push(`container dir of no listed container: ${dir}`);
  for (const id of listed) {
    if (!containerDirs.includes(id)) problems.push(`listed container without its dir: ${id}`);
    const dir = join(d.dataRoot, 'containers', id);
    const temps = [...(await entriesOf(dir)), ...(await entriesOf(join(dir, 'bundle'))).map((name) => `bundle/${name}`)].filter((name) => name.endsWith('.tmp'));
    if (temps.length > 0) problems.push(`temp files of an interrupted write in container ${id}: ${temps.join(', ')}`);
  }
  if (!(await trashEmptied(d.dataRoot))) problems.push('the containers trash is never emptied');

  const chains = await storedImageChains(d.dataRoot);
  const layerDirs = new Set((await entriesOf(join(d.dataRoot, 'layers'))).filter((name) => ID.test(name)).map((hex) => `sha256:${hex}`));
  const referenced = new Set([...chains.values()].flat());
  for (const [id, chain] of chains) {
    const missing = chain.filter((chainId) => !layerDirs.has(chainId));
    if (missing.length > 0) problems.push(`image ${id} lacks layers ${missing.join(', ')}`);
    try {
      await d.docker.getImage(id).inspect();
    } catch (err) {
      problems.push(`stored image ${id} does not inspect: ${String(err)}`);
    }
  }
  for (const layer of layerDirs) if (!referenced.has(layer)) problems.push(`layer ${layer} is used by no image`);
  const links = await entriesOf(join(d.dataRoot, 'layers/l'));
  for (const link of links) {
    const target = await readlink(join(d.dataRoot, 'layers/l', link)).catch(() => '');
    if (!layerDirs.has(`sha256:${target.split('/')[1] ?? ''}`)) problems.push(`layer link ${link} points at no layer (${target})`);
  }
  if (links.length !== layerDirs.size) problems.push(`${links.length} layer links for ${layerDirs.size} layers`);

  for (const summary of await d.docker.listImages({ all: true })) {
    if (!chains.has(summary.Id)) problems.push(`listed image ${summary.Id} has no stored config`);
    for (const tag of summary.RepoTags ?? []) {
      if (tag === '<none>:<none>') continue;
      const inspect = await d.docker.getImage(tag).inspect().catch(() => undefined);
      if (inspect?.Id !== summary.Id) problems.push(`tag ${tag} does not resolve to ${summary.Id}`);
    }
  }
  for (const staging of ['layers/tmp', 'image/tmp', 'builder/tmp']) {
    const debris = await entriesOf(join(d.dataRoot, staging));
    if (debris.length > 0) problems.push(`debris in ${staging}: ${debris.join(', ')}`);
  }
  // Temp files of atomic writes (`.<name>.<random>.tmp`) a killed write left beside the stores' records.
  for (const dir of ['image', 'image/blobs/sha256', 'image/metadata/sha256', 'image/distribution', 'containers', 'volumes']) {
    const temps = (await entriesOf(join(d.dataRoot, dir))).filter((name) => name.endsWith('.tmp'));
    if (temps.length > 0) problems.push(`temp files of an interrupted write in ${dir}: ${temps.join(', ')}`);
  }
  return problems;
}
