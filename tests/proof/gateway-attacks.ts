/**
 * Attacks on the gateway (the real CLI process with `--log`): forged signatures, replays, a kiosk
 * posting as another, stale and future timestamps, tampered bodies and records, oversized bodies
 * and a gzip bomb, slow-loris clients, SQL-looking strings, enrolment with a wrong token, and the
 * fleet dashboard without credentials when it exists. Each must be refused with the right status
 * and leave a line in the gateway's log; SQL-looking strings must be stored verbatim.
 */
import 'fake-indexeddb/auto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../../sync/protocol/canonical-json';
import {
  generateDeviceKeyPair,
  exportPublicKey,
  signText,
} from '../../sync/protocol/device-signature';
import { sha256Hex, toBase64Url } from '../../sync/protocol/encoding';
import { requestSigningText, signatureHeaders } from '../../sync/protocol/request-signature';
import { startGatewayProcess } from '../support/gateway-process';
import { emptyFigures } from './figures';
import type { Scale, SuiteFigures } from './figures';
import { proofInput, readGatewayRecords, startNodeKiosk } from './node-kiosk';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface SignOptions {
  key: CryptoKey;
  kioskId: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  timestamp?: number;
  nonce?: string;
  /** Signs this text's digest but sends `body` (a body altered in transit). */
  signedBody?: string;
}

async function signed(options: SignOptions): Promise<Record<string, string>> {
  const nonce = options.nonce ?? toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const parts = {
    method: options.method,
    path: options.path,
    kioskId: options.kioskId,
    timestamp: options.timestamp ?? Date.now(),
    nonce,
    digest: await sha256Hex(options.signedBody ?? options.body ?? ''),
  };
  return {
    [signatureHeaders.kiosk]: parts.kioskId,
    [signatureHeaders.timestamp]: String(parts.timestamp),
    [signatureHeaders.nonce]: parts.nonce,
    [signatureHeaders.digest]: parts.digest,
    [signatureHeaders.signature]: await signText(options.key, requestSigningText(parts)),
  };
}

interface Attack {
  name: string;
  /** The status a refusal must have. */
  expect: number;
  /** The refusal reason the log must give, for signed-request refusals. */
  reason?: string;
  run: () => Promise<{ status: number; detail?: string; refused?: boolean }>;
}

interface LogLine {
  reqId?: string;
  msg?: string;
  reason?: string;
  url?: string;
  req?: { url?: string };
  res?: { statusCode?: number };
}

/** Holds a connection open sending a byte a second; resolves with how long the server let it live. */
function slowLoris(port: number, mode: 'headers' | 'body', boundMs: number): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let drip: NodeJS.Timeout | undefined;
    const give = setTimeout(() => socket.destroy(), boundMs);
    socket.on('connect', () => {
      socket.write(
        `POST /v1/kiosks/slow-loris-01/batches?attack=slow-loris-${mode} HTTP/1.1\r\nHost: gw\r\n`,
      );
      if (mode === 'body') {
        socket.write('content-type: application/json\r\ncontent-length: 100000\r\n\r\n{');
      }
      drip = setInterval(() => socket.write(mode === 'body' ? ' ' : 'x'), 250);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      clearTimeout(give);
      resolve(Date.now() - started);
    });
  });
}

export async function runGatewayAttacks(scale: Scale): Promise<SuiteFigures> {
  const figures = emptyFigures('gateway attacks');
  const repeats = scale === 'full' ? 5 : 1;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-proof-attack-'));
  const a = { kioskId: 'proof-attack-a', token: 'attack-token-a' };
  const b = { kioskId: 'proof-attack-b', token: 'attack-token-b' };
  const requestTimeoutS = 2;
  // The fleet dashboard is served once an administrator password is set.
  const passwordFile = path.join(dataDir, 'admin-password');
  writeFileSync(passwordFile, 'proof-admin-password-0b7d\n');
  const gateway = await startGatewayProcess({
    dataDir,
    tokens: [a, b],
    args: [
      '--log',
      '--request-timeout',
      String(requestTimeoutS),
      ...(existsSync(path.join(repoRoot, 'sync', 'server', 'dashboard'))
        ? ['--admin-password-file', passwordFile]
        : []),
    ],
  });
  const logs: LogLine[] = [];
  let partial = '';
  gateway.child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // The start-up banner is not JSON.
      }
    }
  });
  const base = gateway.url;
  const kioskA = await startNodeKiosk({ ...a, gatewayUrl: base });
  const kioskB = await startNodeKiosk({ ...b, gatewayUrl: base });
  const attacker = await generateDeviceKeyPair();
  try {
    await kioskA.commit();
    await kioskA.drain();
    await kioskB.commit();
    await kioskB.drain();
    const sqlStrings = [
      "'; DROP TABLE records; --",
      "Robert'); DELETE FROM kiosks WHERE ('1'='1",
      '1 OR 1=1; UPDATE kiosks SET head_seq = 0',
      '" UNION SELECT record_json FROM records --',
    ];
    const sqlCommits: Array<{ txId: string; text: string }> = [];
    for (const text of sqlStrings) {
      const done = await kioskA.commit({
        ...proofInput,
        fields: { ...proofInput.fields, district: text, fullName: text },
      });
      sqlCommits.push({ txId: done.txId, text });
    }
    await kioskA.drain();

    /** A batch body carrying kiosk A's next queued-looking record (a real, signed one). */
    const nextRecordBody = async (): Promise<{ body: string; seq: number }> => {
      const done = await kioskA.commit({
        ...proofInput,
        personalFieldIds: [],
        fields: { district: 'cayo' },
      });
      return {
        body: canonicalJson({ batchId: crypto.randomUUID(), items: [{ record: done.record }] }),
        seq: done.seq,
      };
    };
    const post = async (
      url: string,
      body: string | Uint8Array,
      headers: Record<string, string>,
    ): Promise<{ status: number; text: string }> => {
      const response = await fetch(`${base}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
      });
      return { status: response.status, text: await response.text() };
    };
    /**
     * Declares a body larger than the gateway accepts and sends only its first part, then reads
     * the answer. With fetch, the gateway's early 413 raced the rest of the upload: the client
     * could see its connection reset before it read the reply.
     */
    const postDeclaringLength = (
      url: string,
      headers: Record<string, string>,
      declaredLength: number,
      firstPart: string,
    ): Promise<{ status: number; text: string }> =>
      new Promise((resolve, reject) => {
        const target = new URL(base);
        const socket = net.connect(Number(target.port), target.hostname);
        let reply = '';
        socket.setTimeout(15_000, () => socket.destroy());
        socket.on('connect', () => {
          const head = [
            `POST ${url} HTTP/1.1`,
            `Host: ${target.host}`,
            'Content-Type: application/json',
            `Content-Length: ${declaredLength}`,
            'Connection: close',
            ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
          ];
          socket.write(`${head.join('\r\n')}\r\n\r\n${firstPart}`);
        });
        socket.on('data', (chunk: Buffer) => {
          reply += chunk.toString('latin1');
        });
        // A reset after the reply has arrived is the gateway closing on an upload it refused.
        socket.on('error', () => undefined);
        socket.on('close', () => {
          const status = /^HTTP\/1\.[01] (\d{3})/.exec(reply);
          if (status)
            resolve({ status: Number(status[1]), text: reply.split('\r\n\r\n')[1] ?? '' });
          else reject(new Error('the gateway closed without an answer'));
        });
      });
    const batchPath = (kioskId: string, attack: string): string =>
      `/v1/kiosks/${kioskId}/batches?attack=${attack}`;

    const attacks: Attack[] = [
      {
        name: 'unsigned',
        expect: 401,
        reason: 'unsigned',
        run: async () => post(batchPath(a.kioskId, 'unsigned'), (await nextRecordBody()).body, {}),
      },
      {
        name: 'forged-signature',
        expect: 401,
        reason: 'bad-signature',
        run: async () => {
          const { body } = await nextRecordBody();
          const url = batchPath(a.kioskId, 'forged-signature');
          return post(
            url,
            body,
            await signed({
              key: attacker.privateKey,
              kioskId: a.kioskId,
              method: 'POST',
              path: url,
              body,
            }),
          );
        },
      },
      {
        name: 'replayed',
        expect: 401,
        reason: 'replayed',
        run: async () => {
          const { body } = await nextRecordBody();
          const url = batchPath(a.kioskId, 'replayed');
          const headers = await signed({
            key: kioskA.keys.privateKey,
            kioskId: a.kioskId,
            method: 'POST',
            path: url,
            body,
          });
          const first = await post(url, body, headers);
          if (first.status !== 200)
            return { status: first.status, detail: `original got ${first.status}` };
          return post(url, body, headers);
        },
      },
      {
        name: 'as-another-kiosk',
        expect: 401,
        reason: 'wrong-kiosk',
        run: async () => {
          const { body } = await nextRecordBody();
          const url = batchPath(b.kioskId, 'as-another-kiosk');
          return post(
            url,
            body,
            await signed({
              key: kioskA.keys.privateKey,
              kioskId: a.kioskId,
              method: 'POST',
              path: url,
              body,
            }),
          );
        },
      },
      {
        name: 'claims-another-kiosk-id',
        expect: 401,
        reason: 'bad-signature',
        run: async () => {
          const { body } = await nextRecordBody();
          const url = batchPath(b.kioskId, 'claims-another-kiosk-id');
          return post(
            url,
            body,
            await signed({
              key: kioskA.keys.privateKey,
              kioskId: b.kioskId,
              method: 'POST',
              path: url,
              body,
            }),
          );
        },
      },
      {
        name: 'records-of-another-kiosk',
        expect: 200,
        run: async () => {
          // Kiosk B's own URL and signature, carrying kiosk A's record: the item is refused.
          const { body } = await nextRecordBody();
          const url = batchPath(b.kioskId, 'records-of-another-kiosk');
          const reply = await post(
            url,
            body,
            await signed({
              key: kioskB.keys.privateKey,
              kioskId: b.kioskId,
              method: 'POST',
              path: url,
              body,
            }),
          );
          const refused = /"status":"rejected","reason":"wrong-kiosk"/.test(reply.text);
          return { ...reply, refused, detail: reply.text.slice(0, 120) };
        },
      },
      {
        name: 'stale-timestamp',
        expect: 401,
        reason: 'stale',
        run: async () => {
          const { body } = await nextRecordBody();
          const url = batchPath(a.kioskId, 'stale-timestamp');
          return post(
            url,
            body,
            await signed({
              key: kioskA.keys.privateKey,
              kioskId: a.kioskId,
              method: 'POST',
              path: url,
              body,
              timestamp: Date.now() - 10 * 60_000,
            }),
          );
        },
      },
      {
        name: 'future-timestamp',
        expect: 401,
        reason: 'stale',
        run: async () => {
          const { body } = await nextRecordBody();
          const url = batchPath(a.kioskId, 'future-timestamp');
          return post(
            url,
            body,
            await signed({
              key: kioskA.keys.privateKey,
              kioskId: a.kioskId,
              method: 'POST',
              path: url,
              body,
              timestamp: Date.now() + 10 * 60_000,
            }),
          );
        },
      },
      {
        name: 'body-altered-in-transit',
        expect: 401,
        reason: 'body-digest-mismatch',
        run: async () => {
          const { body } = await nextRecordBody();
          const url = batchPath(a.kioskId, 'body-altered-in-transit');
          const altered = body.replace('cayo', 'belize');
          return post(
            url,
            altered,
            await signed({
              key: kioskA.keys.privateKey,
              kioskId: a.kioskId,
              method: 'POST',
              path: url,
              body: altered,
              signedBody: body,
            }),
          );
        },
      },
      {
        name: 'tampered-record',
        expect: 200,
        run: async () => {
          // A correctly signed request whose record was altered after the device signed it.
          const { body } = await nextRecordBody();
          const tampered = body.replace(
            `"amountMinor":${proofInput.fee.amountMinor}`,
            '"amountMinor":1',
          );
          const url = batchPath(a.kioskId, 'tampered-record');
          const reply = await post(
            url,
            tampered,
            await signed({
              key: kioskA.keys.privateKey,
              kioskId: a.kioskId,
              method: 'POST',
              path: url,
              body: tampered,
            }),
          );
          return {
            ...reply,
            refused: /"status":"rejected"/.test(reply.text),
            detail: reply.text.slice(0, 120),
          };
        },
      },
      {
        name: 'oversized-body',
        expect: 413,
        run: async () => {
          const body = `{"batchId":"x","items":[],"pad":"${'A'.repeat(9 * 1024 * 1024)}"}`;
          const url = batchPath(a.kioskId, 'oversized-body');
          return postDeclaringLength(
            url,
            await signed({
              key: kioskA.keys.privateKey,
              kioskId: a.kioskId,
              method: 'POST',
              path: url,
              body,
            }),
            Buffer.byteLength(body),
            body.slice(0, 64 * 1024),
          );
        },
      },
      {
        name: 'gzip-bomb',
        expect: 413,
        run: async () => {
          const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024, 0x20));
          const url = batchPath(a.kioskId, 'gzip-bomb');
          return post(url, bomb, { 'content-encoding': 'gzip' });
        },
      },
      {
        name: 'sql-in-kiosk-id',
        expect: 400,
        run: async () =>
          post(
            `/v1/kiosks/${encodeURIComponent("x' OR '1'='1")}/batches?attack=sql-in-kiosk-id`,
            '{}',
            {},
          ),
      },
      {
        name: 'wrong-enrolment-token',
        expect: 403,
        run: async () => {
          const body = canonicalJson({
            token: 'guessed-token',
            publicKey: await exportPublicKey(attacker.publicKey),
          });
          return post('/v1/kiosks/proof-attack-c/enrol?attack=wrong-enrolment-token', body, {});
        },
      },
      {
        name: 'enrol-over-existing-kiosk',
        expect: 403,
        run: async () => {
          const body = canonicalJson({
            token: a.token,
            publicKey: await exportPublicKey(attacker.publicKey),
          });
          return post(`/v1/kiosks/${a.kioskId}/enrol?attack=enrol-over-existing-kiosk`, body, {});
        },
      },
      {
        name: 'slow-loris-headers',
        expect: 408,
        run: async () => {
          const lived = await slowLoris(gateway.port, 'headers', requestTimeoutS * 1000 + 8_000);
          const bounded = lived < requestTimeoutS * 1000 + 6_000;
          return {
            status: bounded ? 408 : 0,
            detail: `connection lived ${lived} ms`,
            refused: bounded,
          };
        },
      },
      {
        name: 'slow-loris-body',
        expect: 408,
        run: async () => {
          const lived = await slowLoris(gateway.port, 'body', requestTimeoutS * 1000 + 8_000);
          const bounded = lived < requestTimeoutS * 1000 + 6_000;
          return {
            status: bounded ? 408 : 0,
            detail: `connection lived ${lived} ms`,
            refused: bounded,
          };
        },
      },
    ];
    // The fleet dashboard (issue 7): every one of its routes that the gateway serves must refuse
    // a request without a session. Routes that answer 404 are not mounted (yet) and are skipped.
    const dashboardRoutes = [
      '/admin',
      '/admin/dashboard',
      '/admin/export.csv',
      '/admin/bundles',
      '/dashboard',
      '/dashboard/',
      '/dashboard/api/kiosks',
      '/dashboard/kiosks',
    ];
    let mounted = 0;
    if (existsSync(path.join(repoRoot, 'sync', 'server', 'dashboard'))) {
      for (const route of dashboardRoutes) {
        const probe = await fetch(`${base}${route}`, { redirect: 'manual' });
        await probe.text();
        if (probe.status === 404) continue;
        mounted += 1;
        attacks.push({
          name: `dashboard-unauthenticated ${route}`,
          expect: probe.status === 302 || probe.status === 303 ? probe.status : 401,
          run: async () => {
            const response = await fetch(`${base}${route}?attack=dashboard`, {
              redirect: 'manual',
            });
            const text = await response.text();
            // A redirect to the login page is a refusal too, as long as no fleet data came back.
            return { status: response.status, refused: !/kioskId|queueDepth/.test(text) };
          },
        });
      }
    }
    if (mounted === 0) {
      figures.notes.push(
        'the fleet dashboard is not mounted on the gateway yet: unauthenticated access not tested',
      );
    }

    const outcomes: string[] = [];
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      for (const attack of attacks) {
        figures.attacks += 1;
        const before = logs.length;
        let outcome: { status: number; detail?: string; refused?: boolean };
        try {
          outcome = await attack.run();
        } catch (error) {
          outcome = { status: -1, detail: (error as Error).message };
        }
        // The log line of a big request can trail its reply a little.
        for (let wait = 0; wait < 40; wait += 1) {
          const lines = logs.slice(before);
          if (
            lines.some(
              (l) => l.msg === 'request completed' && l.res?.statusCode === attack.expect,
            ) &&
            (attack.reason === undefined || lines.some((l) => l.reason === attack.reason))
          ) {
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        const fresh = logs.slice(before);
        const statusRight = outcome.status === attack.expect && outcome.refused !== false;
        const reasonLogged =
          attack.reason === undefined || fresh.some((l) => l.reason === attack.reason);
        const completed = fresh.some(
          (l) => l.msg === 'request completed' && (l.res?.statusCode ?? 0) === attack.expect,
        );
        const logged =
          reasonLogged &&
          (completed || attack.name.startsWith('slow-loris') || attack.expect === 200);
        const refused = statusRight && logged;
        if (refused) figures.attacksRefused += 1;
        else {
          figures.problems.push(
            `${attack.name}: status ${outcome.status} (want ${attack.expect}), logged=${logged} ${outcome.detail ?? ''}`,
          );
        }
        if (repeat === 0) outcomes.push(`${attack.name}=${outcome.status}`);
      }
    }
    if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) {
      figures.problems.push('the gateway died during the attacks');
      figures.crashes += 1;
    }
    // SQL-looking strings: stored exactly as typed, and the tables they name are all still there.
    const stored = readGatewayRecords(path.join(dataDir, 'gateway.sqlite'), a.kioskId);
    for (const { txId, text } of sqlCommits) {
      figures.attacks += 1;
      const record = stored.records.find((r) => r.body.txId === txId);
      if (record?.kind === 'transaction' && record.body.fields.district === text)
        figures.attacksRefused += 1;
      else figures.problems.push(`SQL-looking string not stored verbatim: ${text}`);
    }
    if (stored.alerts === 0) figures.problems.push('tampering left no tamper alert');
    figures.notes.push(`statuses: ${outcomes.join(' ')}`);
  } finally {
    await kioskA.close();
    await kioskB.close();
    await gateway.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}
