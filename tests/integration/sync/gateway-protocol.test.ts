import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayClient } from '../../../sync/client/gateway-client';
import { canonicalJson } from '../../../sync/protocol/canonical-json';
import { signText } from '../../../sync/protocol/device-signature';
import { sha256Hex, toBase64Url } from '../../../sync/protocol/encoding';
import { requestSigningText, signatureHeaders } from '../../../sync/protocol/request-signature';
import { openSealed } from '../../../sync/protocol/sealed-box';
import { personalPayloadSchema } from '../../../sync/protocol/personal-fields';
import { hashToken, protocolRoutes } from '../../../sync/server/app';
import { loadOrCreateSealingKey } from '../../../sync/server/sealing-key';
import { startInProcessGateway } from '../../support/gateway-harness';
import { gatewayCommand, runGatewayCli } from '../../support/gateway-process';
import type { InProcessGateway } from '../../support/gateway-harness';
import { SyncEngine } from '../../../sync/client/engine';
import { birthCertificate, makeChain, openTestKiosk } from '../../support/chain-fixture';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const token = 'protocol-enrolment-token';

interface SignOptions {
  keys: CryptoKeyPair;
  kioskId: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  timestamp?: number;
  nonce?: string;
  digestOf?: string;
}

async function signedHeaders(o: SignOptions): Promise<Record<string, string>> {
  const parts = {
    method: o.method,
    path: o.path,
    kioskId: o.kioskId,
    timestamp: o.timestamp ?? Date.now(),
    nonce: o.nonce ?? toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    digest: await sha256Hex(o.digestOf ?? o.body ?? ''),
  };
  return {
    [signatureHeaders.kiosk]: parts.kioskId,
    [signatureHeaders.timestamp]: String(parts.timestamp),
    [signatureHeaders.nonce]: parts.nonce,
    [signatureHeaders.digest]: parts.digest,
    [signatureHeaders.signature]: await signText(o.keys.privateKey, requestSigningText(parts)),
    ...(o.body ? { 'content-type': 'application/json' } : {}),
  };
}

describe('the gateway protocol', () => {
  let gateway: InProcessGateway;
  let refused: string[];
  let kioskId: string;
  let chain: Awaited<ReturnType<typeof makeChain>>;
  let client: GatewayClient;

  beforeEach(async () => {
    refused = [];
    kioskId = `proto-${crypto.randomUUID().slice(0, 8)}`;
    gateway = await startInProcessGateway([{ kioskId, token }], {
      onRefused: (event) => refused.push(event.reason),
      kioskConfig: async () => ({ site: { siteName: 'Belmopan OSSC' } }),
    });
    chain = await makeChain(kioskId, 2);
    client = new GatewayClient({
      baseUrl: gateway.url,
      kioskId,
      signingKey: chain.keys.privateKey,
    });
    await client.enrol(token, chain.keys.publicKey);
  });
  afterEach(() => gateway.close());

  const batchBody = (): string =>
    canonicalJson({ batchId: crypto.randomUUID(), items: [{ record: chain.records[0] }] });

  async function post(path: string, body: string, headers: Record<string, string>) {
    return fetch(`${gateway.url}${path}`, { method: 'POST', body, headers });
  }

  it('refuses an unsigned batch and one signed by another key (forged), and logs why', async () => {
    const path = `/v1/kiosks/${kioskId}/batches`;
    const body = batchBody();
    expect((await post(path, body, { 'content-type': 'application/json' })).status).toBe(401);
    const stranger = await makeChain(kioskId, 0);
    const forged = await signedHeaders({
      keys: stranger.keys,
      kioskId,
      method: 'POST',
      path,
      body,
    });
    expect((await post(path, body, forged)).status).toBe(401);
    expect(refused).toEqual(['unsigned', 'bad-signature']);
    expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 0, awaiting: 0 });
  });

  it('refuses a replayed request even though its signature is valid', async () => {
    const path = `/v1/kiosks/${kioskId}/batches`;
    const body = batchBody();
    const headers = await signedHeaders({ keys: chain.keys, kioskId, method: 'POST', path, body });
    expect((await post(path, body, headers)).status).toBe(200);
    const replay = await post(path, body, headers);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: 'unauthorized', message: 'replayed' });
    expect(refused).toEqual(['replayed']);
  });

  it('refuses a stale request and one whose body was changed after signing', async () => {
    const path = `/v1/kiosks/${kioskId}/batches`;
    const body = batchBody();
    const stale = await signedHeaders({
      keys: chain.keys,
      kioskId,
      method: 'POST',
      path,
      body,
      timestamp: Date.now() - 10 * 60_000,
    });
    expect((await post(path, body, stale)).status).toBe(401);
    const swapped = await signedHeaders({
      keys: chain.keys,
      kioskId,
      method: 'POST',
      path,
      body,
      digestOf: body,
    });
    const otherBody = canonicalJson({
      batchId: crypto.randomUUID(),
      items: [{ record: chain.records[1] }],
    });
    expect((await post(path, otherBody, swapped)).status).toBe(401);
    const otherKiosk = await signedHeaders({
      keys: chain.keys,
      kioskId,
      method: 'POST',
      path: '/v1/kiosks/someone-else/batches',
      body,
    });
    expect((await post('/v1/kiosks/someone-else/batches', body, otherKiosk)).status).toBe(401);
    expect(refused).toEqual(['stale', 'body-digest-mismatch', 'wrong-kiosk']);
  });

  it("keeps an idle kiosk connection open for a minute, not Node's 5 s (a handshake is 0.8 s on a thin link)", async () => {
    const reply = await fetch(`${gateway.url}/v1/health`);
    expect(reply.headers.get('keep-alive')).toBe('timeout=60');
    await reply.arrayBuffer();
  });

  it('serves the config with an ETag and answers 304 when it has not changed', async () => {
    const first = await client.getConfig();
    expect(first?.config.site).toEqual({ siteName: 'Belmopan OSSC' });
    const sealing = await loadOrCreateSealingKey(gateway.store);
    expect(first?.config.gatewayKey).toEqual(sealing.publicJwk);
    expect(first?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await client.getConfig(first?.etag)).toBeUndefined();
    expect(await client.getConfig('"stale-etag"')).toBeDefined();
  });

  it('reports application status by receipt reference and records heartbeats', async () => {
    const [r1] = chain.records;
    if (!r1) throw new Error('fixture');
    const unknown = await client.getStatus([r1.body.ref]);
    expect(unknown.statuses).toEqual([{ ref: r1.body.ref, state: 'unknown' }]);
    await gateway.store.applyBatch(kioskId, [{ record: r1 }]);
    const known = await client.getStatus([r1.body.ref, 'ABCD-EFGH-J']);
    expect(known.statuses[0]).toMatchObject({ ref: r1.body.ref, state: 'received' });
    expect(known.statuses[1]).toEqual({ ref: 'ABCD-EFGH-J', state: 'unknown' });
    await client.heartbeat({
      sentAt: new Date().toISOString(),
      queueDepth: 4,
      oldestQueuedAt: 1_700_000_000_000,
      rejected: 1,
      deadLetters: 0,
      lastDeliveryAt: null,
      appVersion: '0.1.0',
    });
    expect((await gateway.store.lastHeartbeat(kioskId))?.beat.queueDepth).toBe(4);
  });

  it('receives personal fields it alone can read, matching the digest in the signed record', async () => {
    const otherKiosk = `proto-${crypto.randomUUID().slice(0, 8)}`;
    const { store, keys, dataKey, commit, close } = await openTestKiosk(otherKiosk);
    await gateway.store.addEnrolmentToken(otherKiosk, hashToken('tok-other-1'));
    const tx = await commit();
    const engine = new SyncEngine({
      store,
      kioskId: otherKiosk,
      keys,
      dataKey,
      gatewayUrl: gateway.url,
      enrolmentToken: 'tok-other-1',
    });
    await engine.trigger();
    engine.stop();
    expect((await store.find({ txId: tx.txId }))?.state).toBe('delivered');
    const stored = await gateway.store.listRecords(otherKiosk);
    expect(JSON.stringify(stored)).not.toContain('Ana Pérez');
    expect(JSON.stringify(stored)).not.toContain('1990-04-01');
    const box = await gateway.store.readPersonal(otherKiosk, tx.seq);
    if (!box) throw new Error('no sealed personal data at the gateway');
    const sealing = await loadOrCreateSealingKey(gateway.store);
    const payload = personalPayloadSchema.parse(
      JSON.parse(await openSealed(sealing.privateJwk, box, tx.txId)),
    );
    const { fullName, dateOfBirth } = birthCertificate.fields;
    expect(payload.fields).toEqual({ fullName, dateOfBirth });
    expect((await gateway.store.lastHeartbeat(otherKiosk))?.beat.queueDepth).toBe(0);
    await close();
  });

  it('rejects an item whose sealed personal data is missing, and raises an alert', async () => {
    const path = `/v1/kiosks/${kioskId}/batches`;
    const body = batchBody();
    const headers = await signedHeaders({ keys: chain.keys, kioskId, method: 'POST', path, body });
    const reply = (await (await post(path, body, headers)).json()) as {
      results: Array<{ status: string; reason?: string }>;
    };
    expect(reply.results[0]).toMatchObject({ status: 'rejected', reason: 'personal-missing' });
    expect((await gateway.store.listTamperAlerts(kioskId)).map((a) => a.kind)).toEqual([
      'personal-missing',
    ]);
  });

  it('serves the OpenAPI descriptions kept in the repository (kiosk protocol, agency interface), and they cover every route', async () => {
    const served = (await (await fetch(`${gateway.url}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const file = JSON.parse(
      readFileSync(`${repoRoot}sync/protocol/openapi.json`, 'utf8'),
    ) as unknown;
    expect(served).toEqual(file);
    const { buildOpenApiDocument } = await import('../../../sync/protocol/openapi-document');
    expect(file).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    const agency = (await (await fetch(`${gateway.url}/agency/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(agency).toEqual(
      JSON.parse(readFileSync(`${repoRoot}sync/protocol/openapi-agency.json`, 'utf8')) as unknown,
    );
    const { buildAgencyOpenApiDocument } =
      await import('../../../sync/protocol/openapi-agency-document');
    expect(agency).toEqual(JSON.parse(JSON.stringify(buildAgencyOpenApiDocument())));
    const documented = [served, agency].flatMap((document) =>
      Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    expect(documented.sort()).toEqual([...protocolRoutes(gateway.app)].sort());
  });

  it('documents every command-line option in --help', async () => {
    const help = runGatewayCli(await gatewayCommand(), ['--help']);
    expect(help.code).toBe(0);
    const source = readFileSync(`${repoRoot}sync/server/main.ts`, 'utf8');
    const declared = [...source.matchAll(/^ {6}'?([a-z-]+)'?: \{ type:/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(5);
    for (const option of declared) expect(help.out).toContain(`--${option}`);
    expect(help.out).toContain('DATABASE_URL');
  });
});
