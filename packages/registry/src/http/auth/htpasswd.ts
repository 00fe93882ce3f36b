import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';

// Compared against when the user is unknown, so an unknown user costs as long as a wrong password.
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

// A client such as docker sends its Basic credentials with every request of a pull, and each bcrypt
// comparison costs milliseconds of CPU: a successful one is remembered this long, for this many pairs.
const VERIFIED_TTL_MS = 5 * 60_000;
const VERIFIED_MAX = 1024;

export class HtpasswdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HtpasswdError';
  }
}

/** The users of an htpasswd file; only bcrypt entries (`htpasswd -B`), as the Go registry verifies only those. */
export class Htpasswd {
  // sha256 of user and password (never the password itself) -> when the success expires.
  private readonly verified = new Map<string, number>();

  private constructor(
    private readonly hashes: ReadonlyMap<string, string>,
    private readonly dummyHash: string,
    private readonly now: () => number,
  ) {}

  static async load(path: string): Promise<Htpasswd> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new HtpasswdError(`htpasswd ${path}: ${(err as Error).message}`);
    }
    return Htpasswd.parse(text, path);
  }

  /** `user:hash` lines; blank lines and lines starting with `#` are skipped, as Go reads the file. */
  static parse(text: string, source = 'htpasswd', now: () => number = Date.now): Htpasswd {
    const hashes = new Map<string, string>();
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      if (colon < 0) throw new HtpasswdError(`htpasswd ${source}: invalid entry at line ${index + 1}: no ':'`);
      const user = line.slice(0, colon);
      const hash = line.slice(colon + 1);
      if (!BCRYPT.test(hash)) throw new HtpasswdError(`htpasswd ${source}: line ${index + 1} (user ${JSON.stringify(user)}): only bcrypt entries ($2y$, $2a$, $2b$; htpasswd -B) are supported`);
      hashes.set(user, hash);
    });
    // An unknown user is checked against a hash of the file's highest cost: the answer takes as long as for a known one.
    const cost = Math.max(4, ...[...hashes.values()].map((hash) => Number(hash.slice(4, 6))));
    return new Htpasswd(hashes, bcrypt.hashSync('berth-registry', cost), now);
  }

  async verify(user: string, password: string): Promise<boolean> {
    const key = createHash('sha256').update(JSON.stringify([user, password])).digest('hex');
    const until = this.verified.get(key);
    if (until !== undefined && until > this.now()) return true;
    this.verified.delete(key);
    const hash = this.hashes.get(user);
    // bcryptjs reads $2y$ as $2a$ only under that name; the hash is the same algorithm.
    const matches = await bcrypt.compare(password, (hash ?? this.dummyHash).replace(/^\$2y\$/, '$2a$'));
    if (hash === undefined || !matches) return false;
    // The oldest success makes room: a map iterates in insertion order.
    if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, this.now() + VERIFIED_TTL_MS);
    return true;
  }
}
