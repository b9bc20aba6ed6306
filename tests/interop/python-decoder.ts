/**
 * Runs the independent Python decoder of a sync protocol v2 batch (tests/interop/v2-decoder.py,
 * written from the docs alone on python3-cryptography) on a batch the kiosk's code made.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { EcPrivateJwk, EcPublicJwk } from '../../sync/protocol/crypto-primitives';
import type { GatewayRecord } from '../../sync/protocol/records';
import type { BatchRequestV2 } from '../../sync/protocol/wire-v2';

export const decoderPath = fileURLToPath(new URL('./v2-decoder.py', import.meta.url));
/** Checks the decoder's HPKE against RFC 9180's test vector (A.3.1); see its docstring. */
export const hpkeVectorsPath = fileURLToPath(new URL('./hpke-vectors.py', import.meta.url));

/**
 * The Python to run: Debian's /usr/bin/python3 first (python3-cryptography is installed for it,
 * and it is what .ci/run provides), else the first `python3` on PATH; either must import the
 * `cryptography` package. `reason` says why there is none.
 */
export function findPython(): { python: string; version: string } | { reason: string } {
  const tried: string[] = [];
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(
      python,
      ['-c', 'import sys, cryptography; print(sys.version.split()[0], cryptography.__version__)'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
    tried.push(`${python}: ${probe.error ? 'not found' : 'no cryptography module'}`);
  }
  return {
    reason: `python3 with the cryptography module (Debian: python3-cryptography) is missing (${tried.join('; ')})`,
  };
}

/** What the decoder prints (v2-decoder.py's docstring). */
export interface DecoderOutput {
  ok: boolean;
  records: GatewayRecord[];
  segments: Array<{ seq: number; count: number; reason: string | null }>;
  refused: Record<string, string>;
  entries: unknown[] | null;
}

export interface DecoderRun {
  status: number | null;
  stderr: string;
  output?: DecoderOutput;
}

/**
 * Writes the batch as the kiosk sends it (gzip'd JSON) and both keys to a temporary directory,
 * runs the decoder on them and parses what it prints.
 */
export function runDecoder(
  python: string,
  input: {
    batch: BatchRequestV2;
    kioskId: string;
    gatewayPrivateJwk: EcPrivateJwk;
    devicePublicJwk: EcPublicJwk;
  },
): DecoderRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-v2-interop-'));
  try {
    const body = path.join(dir, 'body.json.gz');
    const gatewayKey = path.join(dir, 'gateway-private.jwk');
    const deviceKey = path.join(dir, 'device-public.jwk');
    writeFileSync(body, gzipSync(JSON.stringify(input.batch)));
    writeFileSync(gatewayKey, JSON.stringify(input.gatewayPrivateJwk), { mode: 0o600 });
    writeFileSync(deviceKey, JSON.stringify(input.devicePublicJwk));
    const run = spawnSync(python, [decoderPath, body, input.kioskId, gatewayKey, deviceKey], {
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.error) throw run.error;
    return {
      status: run.status,
      stderr: run.stderr,
      ...(run.stdout.trim() ? { output: JSON.parse(run.stdout) as DecoderOutput } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
