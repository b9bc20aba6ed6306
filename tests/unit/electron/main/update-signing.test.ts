import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseShellConfig } from '../../../../electron/main/shell-config';
import {
  parseUpdatePublicKey,
  signatureUrl,
  verifyDownloadedUpdate,
} from '../../../../electron/main/update-signature';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'sp-update-signing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function signingTool(args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'build/scripts/update-signing.ts', ...args],
      { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { code: 0, out };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
}

describe('update signing, from the fleet owner’s build machine to the kiosk', () => {
  const keyFile = path.join(dir, 'fleet-update.key');
  const installer = path.join(dir, 'Service Point-0.2.0.AppImage');
  let publicKey = '';

  it('makes a key pair: the private key readable only by its owner, the public key for shell.json', () => {
    const made = signingTool(['keygen', keyFile]);
    expect(made.code).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    publicKey = /"publicKey": "([A-Za-z0-9+/=]+)"/.exec(made.out)?.[1] ?? '';
    expect(() => parseUpdatePublicKey(publicKey)).not.toThrow();
    // It never overwrites a key that exists: every kiosk trusts that one.
    expect(signingTool(['keygen', keyFile]).code).toBe(1);
  });

  it('signs an installer so the kiosk with the public key accepts it, and nothing else', async () => {
    writeFileSync(installer, 'installer bytes');
    expect(signingTool(['sign', keyFile, '0.2.0', installer]).code).toBe(0);
    const feedUrl = 'https://gateway.example/updates/service-point/';
    const published = new Map([
      [signatureUrl(feedUrl, installer), readFileSync(`${installer}.sig`, 'utf8')],
    ]);
    const check = (version: string) =>
      verifyDownloadedUpdate({
        file: installer,
        version,
        feedUrl,
        publicKey: parseUpdatePublicKey(publicKey),
        fetchText: async (url) => published.get(url) ?? Promise.reject(new Error('HTTP 404')),
      });
    expect(signatureUrl(feedUrl, installer)).toBe(
      'https://gateway.example/updates/service-point/Service%20Point-0.2.0.AppImage.sig',
    );
    expect(await check('0.2.0')).toEqual({ ok: true });
    expect(await check('0.3.0')).toEqual({ ok: false, reason: 'bad-signature' });
    writeFileSync(installer, 'installer bytes, changed on the feed');
    expect(await check('0.2.0')).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a version that is not one, and explains its usage', () => {
    expect(signingTool(['sign', keyFile, 'latest', installer]).code).toBe(2);
    expect(signingTool([]).out).toContain('usage:');
  });
});

describe('shell.json updates', () => {
  const key = 'MCowBQYDK2VwAyEATcAKQ306vmD5CMiHin7F9allQ/3P4VGo7jmi5sqE/vI=';

  it('accepts an https feed with the fleet’s Ed25519 public key', () => {
    const parsed = parseShellConfig(
      JSON.stringify({ updates: { url: 'https://gateway.example/updates/', publicKey: key } }),
    );
    expect(parsed).toMatchObject({ ok: true, config: { updates: { publicKey: key } } });
  });

  const refused: Array<[string, unknown, string]> = [
    [
      'a plain http feed',
      { url: 'http://gateway.example/updates/', publicKey: key },
      'updates.url: must be an https URL (a plain http feed could be changed on the way)',
    ],
    [
      'a feed without the signing key',
      { url: 'https://gateway.example/updates/' },
      'updates.publicKey: required with updates.url',
    ],
    [
      'a key that is not Ed25519',
      { url: 'https://gateway.example/updates/', publicKey: 'c2VjcmV0' },
      'updates.publicKey: must be an Ed25519 public key',
    ],
  ];
  it.each(refused)('refuses %s with one message naming the field', (_name, updates, message) => {
    const parsed = parseShellConfig(JSON.stringify({ updates }));
    expect(parsed.ok).toBe(false);
    expect(parsed).toMatchObject({ error: expect.stringContaining(message) });
    // The safe default: no updates at all.
    expect(parsed.config.updates).toBeUndefined();
  });
});
