/**
 * The layer stacks (chain IDs) that pulls under way extract ahead of the image store, shared by the pulls of one
 * store, so that two pulls at once extract a layer once. A later pull leaves a claimed layer to the pull that claimed
 * it and takes its turn in the store only after that pull has ended: the layer is in the store then, or the later
 * pull extracts it in its turn (the earlier one failed). Pulls only ever wait for earlier ones, so none waits in a circle.
 */
export class ExtractionClaims {
  private readonly claims = new Map<string, Promise<void>>();

  /**
   * Claims, until `end` settles, the chain IDs no pull under way has claimed; for each ID, whether it is this pull's,
   * and the ends of the earlier pulls that hold the others.
   */
  claim(chainIds: readonly string[], end: Promise<void>): { mine: boolean[]; earlier: Promise<void>[] } {
    const earlier = new Set<Promise<void>>();
    const mine = chainIds.map((chainId) => {
      const holder = this.claims.get(chainId);
      if (holder) {
        earlier.add(holder);
        return false;
      }
      this.claims.set(chainId, end);
      return true;
    });
    const release = () => chainIds.forEach((chainId, index) => mine[index] && this.claims.get(chainId) === end && this.claims.delete(chainId));
    end.then(release, release);
    return { mine, earlier: [...earlier] };
  }
}
