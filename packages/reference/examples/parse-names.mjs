// Parses image references as `docker pull` reads them and prints each in its canonical and short forms.
// Usage: node parse-names.mjs [REFERENCE...]   (exits 1 if one is invalid)
import { familiarString, isDigest, parseNormalizedNamed, referenceString, sha256Digest, withDefaultTag } from '@berth/reference';

const names = process.argv.length > 2 ? process.argv.slice(2) : ['busybox', 'user/app:1.0', 'localhost:5000/team/tool', 'example.com/app@sha256:' + 'a'.repeat(64)];
let failed = false;
for (const name of names) {
  try {
    const ref = withDefaultTag(parseNormalizedNamed(name));
    console.log(`${name} -> ${referenceString(ref)} (domain ${ref.domain}, path ${ref.path}, short ${familiarString(ref)})`);
  } catch (err) {
    console.log(`${name} -> invalid: ${err.message}`);
    failed = true;
  }
}
const digest = sha256Digest('hello\n');
console.log(`sha256Digest("hello\\n") = ${digest} (valid: ${isDigest(digest)})`);
process.exitCode = failed ? 1 : 0;
