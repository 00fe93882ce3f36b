import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { familiarName, familiarString, parseNormalizedNamed, referenceString, type NamedReference } from '@berth/reference';
import { prepareAtomicDir, writeFileAtomic } from '@berth/layer';

/** moby's repositories.json shape: familiar repository name -> familiar reference -> image ID. */
interface RepositoriesFile {
  Repositories: Record<string, Record<string, string>>;
}

/**
 * Tags and digest references -> image IDs, persisted as `<root>/repositories.json`. Every change is
 * applied to a copy, written atomically, and only then made visible, so memory never runs ahead of disk.
 */
export class ReferenceStore {
  private constructor(
    private readonly file: string,
    private refs: Map<string, { ref: NamedReference; id: string }>,
  ) {}

  static async open(root: string): Promise<ReferenceStore> {
    // Drops the temp file of a write the daemon died in; repositories.json itself is whole.
    await prepareAtomicDir(root);
    const file = join(root, 'repositories.json');
    const refs = new Map<string, { ref: NamedReference; id: string }>();
    let parsed: Partial<RepositoriesFile> = {};
    try {
      parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<RepositoriesFile>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const repository of Object.values(parsed.Repositories ?? {})) {
      for (const [name, id] of Object.entries(repository)) {
        const ref = parseNormalizedNamed(name);
        refs.set(referenceString(ref), { ref, id });
      }
    }
    return new ReferenceStore(file, refs);
  }

  /** The image a tagged or digested reference points at. */
  get(ref: NamedReference): string | undefined {
    return this.refs.get(referenceString(ref))?.id;
  }

  /** References to `id`, sorted by their full form as moby does. */
  referencesTo(id: string): NamedReference[] {
    return [...this.refs.entries()]
      .filter(([, entry]) => entry.id === id)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => entry.ref);
  }

  all(): Array<{ ref: NamedReference; id: string }> {
    return [...this.refs.values()];
  }

  async update(change: (draft: ReferenceDraft) => void): Promise<void> {
    const next = new Map(this.refs);
    change({
      set: (ref, id) => next.set(referenceString(ref), { ref, id }),
      delete: (ref) => next.delete(referenceString(ref)),
    });
    await writeFileAtomic(this.file, serialize(next));
    this.refs = next;
  }
}

export interface ReferenceDraft {
  set(ref: NamedReference, id: string): void;
  delete(ref: NamedReference): void;
}

function serialize(refs: Map<string, { ref: NamedReference; id: string }>): string {
  const file: RepositoriesFile = { Repositories: {} };
  for (const { ref, id } of refs.values()) {
    const repository = (file.Repositories[familiarName(ref)] ??= {});
    repository[familiarString(ref)] = id;
  }
  return JSON.stringify(file);
}
