import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory } from './atomic-file.js';

const QUARANTINE_DIR = 'quarantine';
const ENTRY_PATTERN = /^([a-f0-9]{64})-(\d+)$/;

/**
 * Layer directories the store cannot trust (metadata missing or corrupt) are moved aside, never
 * deleted: they may hold the only copy of an image's content, and only an operator can tell.
 *   <root>/quarantine/<chainID hex>-<ms since epoch>
 * What is in quarantine stays known across restarts, so images standing on it are reported, not dropped.
 */
export class LayerQuarantine {
  private constructor(
    private readonly dir: string,
    /** chain ID -> its newest quarantined directory */
    private readonly entries: Map<string, string>,
  ) {}

  static async open(root: string): Promise<LayerQuarantine> {
    const dir = join(root, QUARANTINE_DIR);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const entries = new Map<string, string>();
    for (const name of (await readdir(dir)).sort((a, b) => stampOf(a) - stampOf(b))) {
      const match = ENTRY_PATTERN.exec(name);
      if (match !== null) entries.set(`sha256:${match[1]}`, join(dir, name));
    }
    return new LayerQuarantine(dir, entries);
  }

  /** Moves `<root>/<hex>` into quarantine; returns where it went. */
  async admit(layerDir: string, hex: string): Promise<string> {
    const target = join(this.dir, `${hex}-${Date.now()}`);
    await rename(layerDir, target);
    await fsyncDirectory(this.dir);
    this.entries.set(`sha256:${hex}`, target);
    return target;
  }

  /** Where a layer with this chain ID sits in quarantine, if it does. */
  pathOf(chainId: string): string | undefined {
    return this.entries.get(chainId);
  }
}

function stampOf(name: string): number {
  return Number(ENTRY_PATTERN.exec(name)?.[2] ?? 0);
}
