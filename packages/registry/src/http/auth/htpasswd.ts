import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';

// Compared against when the user is unknown, so an unknown user costs as long as a wrong password.
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

export class HtpasswdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HtpasswdError';
  }
}

/** The users of an htpasswd file; only bcrypt entries (`htpasswd -B`), as the Go registry verifies only those. */
export class Htpasswd {
  private constructor(
    private readonly hashes: ReadonlyMap<string, string>,
    private readonly dummyHash: string,
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
  static parse(text: string, source = 'htpasswd'): Htpasswd {
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
    return new Htpasswd(hashes, bcrypt.hashSync('berth-registry', cost));
  }

  async verify(user: string, password: string): Promise<boolean> {
    const hash = this.hashes.get(user);
    // bcryptjs reads $2y$ as $2a$ only under that name; the hash is the same algorithm.
    const matches = await bcrypt.compare(password, (hash ?? this.dummyHash).replace(/^\$2y\$/, '$2a$'));
    return hash !== undefined && matches;
  }
}
