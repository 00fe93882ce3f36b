/**
 * The `.dockerignore` matcher the context needs (the parser side supplies the real one): whether a
 * context path, relative and without a leading `./`, is excluded — as Docker's client walk decides it,
 * a path under an excluded directory included, unless a `!` pattern re-includes it.
 */
export interface IgnoreRules {
  ignores(relPath: string): boolean;
}

/** Builds the rules from the text of `.dockerignore`. */
export type IgnoreRulesFactory = (dockerignore: string) => IgnoreRules;
