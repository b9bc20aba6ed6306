import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';

/**
 * Detached signatures of fleet updates. electron-updater checks a download against the SHA-512
 * in the feed's own `latest*.yml`, so whoever controls the feed controls the update. Here the
 * fleet owner also signs each installer offline with an Ed25519 key, and the kiosk holds only the
 * public key (shell.json `updates.publicKey`, outside the feed): a feed that serves anything the
 * owner did not sign gets nothing installed.
 *
 * The signature (base64, one line) is published next to the installer as `<installer>.sig`. It
 * signs this statement, so a signed old installer cannot be passed off as a newer version:
 *
 *   service-point-update-v1\n
 *   version: <the version the feed announces>\n
 *   sha512: <base64 SHA-512 of the installer's bytes>\n
 */
export const UPDATE_SIGNATURE_SUFFIX = '.sig';

export function updateStatement(version: string, sha512: string): string {
  return `service-point-update-v1\nversion: ${version}\nsha512: ${sha512}\n`;
}

/** The file's SHA-512, base64 (as electron-builder writes it in latest.yml), read as a stream. */
export function sha512OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('base64')));
  });
}

/**
 * The Ed25519 public key from shell.json: the base64 body of a PEM `PUBLIC KEY` (SPKI, 44 bytes),
 * as `build/scripts/update-signing.ts keygen` prints it. Throws on anything else.
 */
export function parseUpdatePublicKey(text: string): KeyObject {
  const body = text.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  const key = createPublicKey({ key: Buffer.from(body, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`an Ed25519 key is needed, not ${String(key.asymmetricKeyType)}`);
  }
  return key;
}

/** Signs an installer (on the fleet owner's build machine); returns the `.sig` file's text. */
export async function signUpdate(
  privateKeyPem: string,
  version: string,
  installer: string,
): Promise<string> {
  const statement = updateStatement(version, await sha512OfFile(installer));
  const signature = sign(null, Buffer.from(statement, 'utf8'), createPrivateKey(privateKeyPem));
  return `${signature.toString('base64')}\n`;
}

export type UpdateVerdict =
  | { ok: true }
  | {
      ok: false;
      reason: 'no-signature' | 'malformed-signature' | 'bad-signature';
      detail?: string;
    };

export interface VerifyUpdateOptions {
  /** The downloaded installer (electron-updater's `downloadedFile`). */
  file: string;
  /** The version the feed announced for it. */
  version: string;
  /** The https feed the installer came from; the signature is fetched beside the installer. */
  feedUrl: string;
  publicKey: KeyObject;
  /** Fetches a small text file over https (Electron's `net.fetch` in the shell). */
  fetchText(url: string): Promise<string>;
}

/** Where an installer's signature is published: next to the installer, in the feed's folder. */
export function signatureUrl(feedUrl: string, file: string): string {
  const folder = feedUrl.endsWith('/') ? feedUrl : `${feedUrl}/`;
  return new URL(encodeURIComponent(path.basename(file)) + UPDATE_SIGNATURE_SUFFIX, folder).href;
}

/** Checks a downloaded installer against its detached signature and the pinned public key. */
export async function verifyDownloadedUpdate(options: VerifyUpdateOptions): Promise<UpdateVerdict> {
  let text: string;
  try {
    text = await options.fetchText(signatureUrl(options.feedUrl, options.file));
  } catch (error) {
    return { ok: false, reason: 'no-signature', detail: (error as Error).message.slice(0, 200) };
  }
  const encoded = text.trim();
  // An Ed25519 signature is 64 bytes: 88 base64 characters with padding.
  if (!/^[A-Za-z0-9+/]{86}==$/.test(encoded)) return { ok: false, reason: 'malformed-signature' };
  const statement = updateStatement(options.version, await sha512OfFile(options.file));
  const good = verify(
    null,
    Buffer.from(statement, 'utf8'),
    options.publicKey,
    Buffer.from(encoded, 'base64'),
  );
  return good ? { ok: true } : { ok: false, reason: 'bad-signature' };
}
