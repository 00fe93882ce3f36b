/** The proxy arguments every build may set without declaring them; moby keeps them out of the image's history. */
export const PROXY_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

/**
 * The build arguments of one build: the values given (`--build-arg`), the meta ARGs before the first
 * FROM, and which ones any stage consumed (the others earn moby's warning at the end).
 */
export class BuildArgs {
  private readonly consumed = new Set<string>();
  private readonly meta = new Map<string, string | undefined>();

  constructor(private readonly given: Record<string, string | null>) {}

  /** A meta ARG: its default unless the build gives a value. */
  declareMeta(key: string, value: string | undefined): void {
    this.meta.set(key, this.valueOf(key) ?? value);
    this.consumed.add(key);
  }

  /** What FROM lines expand with: the meta ARGs. */
  metaEnv(): Map<string, string> {
    return definedOnly(this.meta);
  }

  /**
   * The value an ARG takes in a stage: the build's, else its default, else (re-declared without one)
   * the meta ARG's.
   */
  resolve(key: string, value: string | undefined): string | undefined {
    this.consumed.add(key);
    return this.valueOf(key) ?? value ?? this.meta.get(key);
  }

  /** Proxy arguments the build sets: in every RUN's environment, declared or not. */
  proxies(): Map<string, string> {
    const result = new Map<string, string>();
    for (const key of PROXY_ARGS) {
      const value = this.valueOf(key);
      if (value !== undefined) result.set(key, value);
    }
    return result;
  }

  /** Given, never declared: moby's `[Warning] One or more build-args [..] were not consumed`. */
  unconsumed(): string[] {
    return Object.keys(this.given)
      .filter((key) => !this.consumed.has(key) && !PROXY_ARGS.has(key))
      .sort();
  }

  private valueOf(key: string): string | undefined {
    return this.given[key] ?? undefined;
  }
}

export function definedOnly(map: Map<string, string | undefined>): Map<string, string> {
  const result = new Map<string, string>();
  for (const [key, value] of map) if (value !== undefined) result.set(key, value);
  return result;
}
