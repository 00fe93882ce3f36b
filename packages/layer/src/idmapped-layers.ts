import { closeSync, openSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError } from '@berth/api';
import { procMapText, rootPairOf, type IdMappings } from './id-mapping.js';
import { mountOverlayRoot } from './container-root.js';
import { detachMountsUnder } from './mountinfo.js';
import type { LayerChainOnDisk, RemappedLayers } from './remapped-layers.js';
import { bindIdmapped } from './syscalls.js';
import { catInNewUserNamespace, mountOverlay } from './system-tools.js';

/** A /proc map file takes the whole map in one write(2), in place: no temp file and rename. */
async function writeProcMap(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.write(text);
  } finally {
    await handle.close();
  }
}

/**
 * A user namespace holding `mappings`, kept open by descriptor for idmapped mounts: made by a process
 * that waits in it (catInNewUserNamespace), its maps written from here (root may write any map), then
 * opened; the process ends with its input.
 */
async function openUserNamespace(mappings: IdMappings, owner: string): Promise<number> {
  let failed: (err: Error) => void = () => undefined;
  const child = catInNewUserNamespace(owner, (err) => failed(err));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      failed = reject;
      child.once('exit', (code) => reject(new InternalError(`unshare --user failed (exit ${String(code)}): ${stderr.trim()}`)));
      child.stdout.once('data', () => resolve());
      child.stdin.write('x');
    });
    await writeProcMap(`/proc/${child.pid}/uid_map`, procMapText(mappings.uids));
    await writeProcMap(`/proc/${child.pid}/gid_map`, procMapText(mappings.gids));
    return openSync(`/proc/${child.pid}/ns/user`, 'r');
  } finally {
    child.stdin.end();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** Detaches what a probe mounted (what a crash left too), then removes it. */
async function clearProbe(probe: string): Promise<void> {
  await detachMountsUnder(probe);
  await rm(probe, { recursive: true, force: true });
}

/**
 * Image layers shown to a remapped container with its ownership (idmapped mounts, Linux 5.12+, overlayfs
 * over idmapped layers 5.19+): a layer file owned by root on disk shows as the container root's host uid,
 * so one copy of each layer serves every mapping and the host's own containers.
 */
export class IdmappedLayers implements RemappedLayers {
  private constructor(
    readonly mappings: IdMappings,
    private readonly usernsFd: number,
  ) {}

  /** `owner` names the daemon (its data root) in the environment of the short-lived process that makes the namespace. */
  static async open(mappings: IdMappings, owner: string): Promise<IdmappedLayers> {
    rootPairOf(mappings);
    return new IdmappedLayers(mappings, await openUserNamespace(mappings, owner));
  }

  mountRoot(dir: string, chain: LayerChainOnDisk): Promise<string> {
    return mountOverlayRoot(dir, chain.lowerdirs, chain.root, { idmapped: this, upperOwner: rootPairOf(this.mappings), volatile: chain.volatile });
  }

  /**
   * Whether a container root can be made of idmapped layers under `dir`: an idmapped bind (kernel 5.12+
   * and the filesystem) with an overlay mounted over it (5.19+), tried in `<dir>/idmap-probe`. The probe
   * leaves nothing behind, and clears what a crash left of an earlier one.
   */
  async supportedUnder(dir: string): Promise<boolean> {
    const probe = join(dir, 'idmap-probe');
    await clearProbe(probe);
    await mkdir(probe, { recursive: true, mode: 0o700 });
    try {
      const at = (name: string): string => join(probe, name);
      for (const name of ['source', 'lower', 'upper', 'work', 'merged']) await mkdir(at(name));
      try {
        this.bind(at('source'), at('lower'));
        await mountOverlay({ lowerdirs: ['lower'], upperdir: at('upper'), workdir: at('work'), target: at('merged'), cwd: probe });
      } catch {
        return false;
      }
      return true;
    } finally {
      await clearProbe(probe);
    }
  }

  /** Bind-mounts `source` at `target` with the mapping's ownership. */
  bind(source: string, target: string): void {
    bindIdmapped(source, target, this.usernsFd);
  }

  close(): void {
    closeSync(this.usernsFd);
  }
}
