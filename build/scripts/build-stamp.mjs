// Content hashes of a build's inputs: the one implementation behind the renderer build's stamp
// (renderer-stamp.ts) and the launcher bundle's (start.mjs). Plain JavaScript, so `npm start` can
// check its bundle before anything that needs TypeScript is loaded.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * SHA-256 (hex) over the inputs' paths (relative to `root`, `/`-separated) and contents, in path
 * order. A missing input hashes as missing, so a deleted file never matches a stamp made while it
 * existed.
 * @param {string} root
 * @param {readonly string[]} inputs
 * @returns {string}
 */
export function inputsHash(root, inputs) {
  const hash = createHash('sha256');
  for (const input of [...new Set(inputs)].sort()) {
    hash.update(`${input}\0`);
    try {
      hash.update(
        createHash('sha256')
          .update(readFileSync(path.join(root, input)))
          .digest(),
      );
    } catch {
      hash.update('missing');
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}
