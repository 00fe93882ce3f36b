/**
 * Layers that operations in flight stand on outside any image: the parent of an import or commit
 * being streamed, and its new layer until the image that uses it is written. Counted, because
 * overlapping operations may hold the same layer; held layers are never released as unused.
 */
export class LayerHolds {
  private readonly counts = new Map<string, number>();

  /** Holds `chainId` until the returned function is called (calling it again does nothing). */
  hold(chainId: string): () => void {
    this.counts.set(chainId, (this.counts.get(chainId) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const remaining = (this.counts.get(chainId) ?? 1) - 1;
      if (remaining > 0) this.counts.set(chainId, remaining);
      else this.counts.delete(chainId);
    };
  }

  held(): Iterable<string> {
    return this.counts.keys();
  }
}
