/**
 * The fleet owner's update signing, on the build machine (never on a kiosk):
 *
 *   npx tsx build/scripts/update-signing.ts keygen <private-key-file>
 *     makes an Ed25519 key pair, writes the private key (PKCS#8 PEM, mode 0600; it refuses to
 *     overwrite one) and prints the public key for every kiosk's shell.json `updates.publicKey`.
 *   npx tsx build/scripts/update-signing.ts sign <private-key-file> <version> <installer>...
 *     writes `<installer>.sig` next to each installer; upload them with the installers and
 *     latest*.yml. A kiosk installs an update only when its signature checks out.
 *
 * Keep the private key offline (or in the build's secret store); whoever holds it can update
 * every kiosk. See electron/main/update-signature.ts for what exactly is signed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { signUpdate, UPDATE_SIGNATURE_SUFFIX } from '../../electron/main/update-signature';

const usage =
  'usage: update-signing.ts keygen <private-key-file>\n' +
  '       update-signing.ts sign <private-key-file> <version> <installer>...';

async function main(args: string[]): Promise<number> {
  const [command, keyFile, ...rest] = args;
  if (command === 'keygen' && keyFile && rest.length === 0) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      writeFileSync(keyFile, pem, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      console.error(`cannot write ${keyFile}: ${(error as Error).message}`);
      return 1;
    }
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    console.log(`private key: ${keyFile} (keep it offline)`);
    console.log(`shell.json "updates": { "publicKey": "${spki}" }`);
    return 0;
  }
  const [version, ...installers] = rest;
  if (command === 'sign' && keyFile && version && installers.length > 0) {
    if (!/^\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(version)) {
      console.error(`not a version: ${version}`);
      return 2;
    }
    const pem = readFileSync(keyFile, 'utf8');
    for (const installer of installers) {
      writeFileSync(
        `${installer}${UPDATE_SIGNATURE_SUFFIX}`,
        await signUpdate(pem, version, installer),
      );
      console.log(`signed ${installer} as ${version}`);
    }
    return 0;
  }
  console.error(usage);
  return 2;
}

process.exit(await main(process.argv.slice(2)));
