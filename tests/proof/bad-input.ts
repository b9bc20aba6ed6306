/**
 * Bad input, as fast-check properties and the corpora in tests/fixtures/bad-input: form values
 * (any Unicode, RTL, emoji, lone surrogates, 1 MB strings, markup), site configs and catalogues,
 * gateway replies (wrong types, huge, truncated JSON), HID keyboard reports, card tracks, printer
 * status bytes, and USB bundles (bit flips, truncation, reordered items). Each input must end in a
 * value or a coded/clear refusal, never an unexpected throw or a hang, and nothing committed may
 * be lost: the queue is checked after every bad reply and the gateway after every bad bundle.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { decodeKeyboardReport } from '../../electron/devices/card-reader/hid-keyboard-report';
import { parseCardRead } from '../../electron/devices/card-reader/card-parsers';
import { parsePrinterStatus } from '../../electron/devices/printer/printer-status';
import { checkField } from '../../kiosk-config/field-validation';
import { parseCatalogue, parseSiteConfig } from '../../kiosk-config/load';
import { embeddedCatalogue, embeddedSite } from '../../kiosk-config';
import type { Catalogue } from '../../kiosk-config/schema';
import { exportBundle } from '../../sync/client/bundle-export';
import { GatewayClient } from '../../sync/client/gateway-client';
import { SyncError } from '../../sync/client/sync-error';
import { importBundle } from '../../sync/server/bundle-import';
import { loadOrCreateSealingKey } from '../../sync/server/sealing-key';
import { startInProcessGateway } from '../support/gateway-harness';
import { emptyFigures } from './figures';
import type { Scale, SuiteFigures } from './figures';
import { proofInput, startNodeKiosk } from './node-kiosk';

const fixtures = new URL('../fixtures/bad-input/', import.meta.url);
const corpus = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(name, fixtures), 'utf8')) as T;

/** Any string a citizen could produce, and some a citizen could not (lone surrogates, 1 MB). */
const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(...corpus<{ strings: string[] }>('strings.json').strings),
  fc.constantFrom('x'.repeat(1024 * 1024), '🇧🇿'.repeat(200_000), '<b>'.repeat(300_000)),
);

/** Runs `fn` with a time limit; a hang counts as a crash. */
async function bounded<T>(ms: number, fn: () => Promise<T> | T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(fn),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hung for ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runBadInput(scale: Scale, seed = 8): Promise<SuiteFigures> {
  const figures = emptyFigures('bad input');
  const n = scale === 'full' ? 1 : 0.1;
  const runs = (count: number): number => Math.max(5, Math.round(count * n));
  const fail = (what: string, error: unknown): void => {
    figures.crashes += 1;
    if (figures.problems.length < 20) {
      figures.problems.push(`${what}: ${(error as Error).message?.slice(0, 160) ?? String(error)}`);
    }
  };
  const property = async <T>(
    what: string,
    arb: fc.Arbitrary<T>,
    count: number,
    check: (value: T) => Promise<void> | void,
  ): Promise<void> => {
    await fc.assert(
      fc.asyncProperty(arb, async (value) => {
        figures.badInputs += 1;
        try {
          await bounded(10_000, () => check(value));
        } catch (error) {
          fail(what, error);
        }
      }),
      { numRuns: runs(count), seed },
    );
  };

  // 1. Form values: the field checks never throw, and a commit either stores the value exactly
  //    (sent to the gateway as typed) or refuses it with a coded error, leaving the chain intact.
  const gateway = await startInProcessGateway([{ kioskId: 'proof-bad-01', token: 'bad-token-01' }]);
  const kiosk = await startNodeKiosk({
    kioskId: 'proof-bad-01',
    token: 'bad-token-01',
    gatewayUrl: gateway.url,
  });
  const catalogue = (parseCatalogue(embeddedCatalogue) as { ok: true; value: Catalogue }).value;
  const fields = catalogue.services.flatMap((s) => s.fields);
  let refusedCommits = 0;
  try {
    await property('form value', fc.tuple(hostileString, fc.nat()), 300, async ([value, i]) => {
      const field = fields[i % fields.length];
      if (field) checkField(field, value);
      try {
        const done = await kiosk.commit({
          ...proofInput,
          fields: { fullName: value, dateOfBirth: '1990-04-01', district: value },
        });
        const row = await kiosk.db.outbox.get(done.seq);
        const body = row?.record.body as { fields?: Record<string, string> } | undefined;
        if (body?.fields?.district !== value) throw new Error('value not stored as typed');
      } catch (error) {
        if (!(error instanceof SyncError)) throw error;
        refusedCommits += 1;
      }
    });
    await kiosk.drain();
    const atGateway = await gateway.store.listRecords('proof-bad-01');
    const delivered = new Set(atGateway.map((r) => r.body.txId));
    figures.committed += kiosk.committed.length;
    figures.lost += kiosk.committed.filter((t) => !delivered.has(t)).length;
    figures.duplicated += atGateway.length - delivered.size;
    figures.notes.push(
      `form values: ${kiosk.committed.length} committed and delivered verbatim, ${refusedCommits} refused with a coded error (e.g. over 20 000 characters)`,
    );

    // 2. Server replies: every reply is a parsed value or a coded SyncError, and the queue keeps
    //    every row that has no valid result.
    const replies = corpus<{ replies: Array<{ status: number; body: string }> }>(
      'server-replies.json',
    ).replies;
    const replyArb = fc.oneof(
      fc.constantFrom(...replies),
      fc.record({
        status: fc.constantFrom(200, 201, 204, 400, 401, 409, 429, 500, 502),
        body: fc.oneof(
          fc.json(),
          fc.string({ unit: 'binary', maxLength: 500 }),
          fc.jsonValue().map((v) => JSON.stringify(v).slice(0, 40)),
        ),
      }),
    );
    const queuedBefore = await kiosk.queued();
    await kiosk.commit();
    await property('server reply', replyArb, 300, async (reply) => {
      const client = new GatewayClient({
        baseUrl: 'http://gateway.invalid',
        kioskId: 'proof-bad-01',
        signingKey: kiosk.keys.privateKey,
        fetch: async () =>
          new Response(reply.status === 204 ? null : reply.body, { status: reply.status }),
      });
      try {
        await client.postBatch({ batchId: crypto.randomUUID(), items: [] as never });
      } catch (error) {
        if (!(error instanceof SyncError)) throw error;
      }
    });
    // The engine itself against a gateway that only ever answers garbage: nothing is lost.
    let garbage = 0;
    const badEngineKiosk = await startNodeKiosk({
      kioskId: 'proof-bad-02',
      token: 'x',
      gatewayUrl: 'http://gateway.invalid',
      fetch: async (url) => {
        if (url.endsWith('/v1/health')) return new Response('{"ok":true,"protocol":1}');
        const reply = replies[garbage % replies.length] ?? { status: 500, body: '' };
        garbage += 1;
        return new Response(reply.body, { status: reply.status });
      },
    });
    for (let i = 0; i < 3; i += 1) await badEngineKiosk.commit();
    for (let i = 0; i < runs(40); i += 1) {
      figures.badInputs += 1;
      try {
        await bounded(10_000, () => badEngineKiosk.engine.trigger());
      } catch (error) {
        fail('engine on a garbage reply', error);
      }
    }
    if ((await badEngineKiosk.queued()) !== 3) {
      figures.problems.push('garbage replies changed the queue');
      figures.lost += 3 - (await badEngineKiosk.queued());
    }
    await badEngineKiosk.close();
    if ((await kiosk.queued()) < queuedBefore)
      figures.problems.push('bad replies emptied the queue');
  } finally {
    await kiosk.close();
  }

  // 3. Site configs and catalogues: refused with one message naming the field, never a throw.
  const mutate = (value: unknown): fc.Arbitrary<unknown> =>
    fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(
        ...corpus<{ configs: Array<{ value: unknown }> }>('configs.json').configs.map(
          (c) => c.value,
        ),
      ),
      fc.tuple(fc.nat(), fc.jsonValue()).map(([i, replacement]) => {
        const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        const keys = Object.keys(copy);
        const key = keys[i % keys.length];
        if (key !== undefined) copy[key] = replacement;
        return copy;
      }),
      fc.nat().map((i) => {
        const text = JSON.stringify(value);
        return text.slice(0, i % text.length);
      }),
    );
  await property('site config', mutate(embeddedSite), 300, (input) => {
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text ?? 'null');
    } catch {
      return; // A truncated file: the loader's JSON step refuses it before the schema.
    }
    const result = parseSiteConfig(parsed);
    if (!result.ok && !/\S/.test(result.error)) throw new Error('refused without a message');
  });
  await property('catalogue', mutate(embeddedCatalogue), 300, (input) => {
    let parsed: unknown = input;
    if (typeof input === 'string') {
      try {
        parsed = JSON.parse(input);
      } catch {
        return;
      }
    }
    const result = parseCatalogue(parsed);
    if (!result.ok && !/\S/.test(result.error)) throw new Error('refused without a message');
  });

  // 4. Devices: HID keyboard reports, card tracks, printer status bytes.
  await property('HID report', fc.uint8Array({ maxLength: 64 }), 2000, (report) => {
    decodeKeyboardReport(report);
  });
  await property('card track', hostileString, 1000, (text) => {
    const read = parseCardRead(text, 'hid', { officerIssuer: '0001', now: new Date() });
    if (!read || typeof read.kind !== 'string') throw new Error('no card read result');
  });
  const statusByte = fc.oneof(
    fc.constant(null),
    fc.integer({ min: -1000, max: 1000 }),
    fc.double(),
  );
  await property(
    'printer status bytes',
    fc.record({
      printer: statusByte,
      offlineCause: statusByte,
      errorCause: statusByte,
      paperSensor: statusByte,
    }),
    2000,
    (replies) => {
      const status = parsePrinterStatus(replies);
      if (
        !['online', 'offline', 'paper-out', 'paper-low', 'cover-open', 'error'].includes(
          status.state,
        ) &&
        !status.state
      ) {
        throw new Error('no printer state');
      }
    },
  );

  // 5. USB bundles: bit flips, truncation and reordered items are refused whole; the real bundle
  //    still imports afterwards, once.
  const bundleGateway = await startInProcessGateway([
    { kioskId: 'proof-usb-01', token: 'usb-token' },
  ]);
  const usbKiosk = await startNodeKiosk({
    kioskId: 'proof-usb-01',
    token: 'usb-token',
    gatewayUrl: bundleGateway.url,
  });
  try {
    await usbKiosk.commit();
    await usbKiosk.drain(); // enrols and caches the gateway key
    for (let i = 0; i < 4; i += 1) await usbKiosk.commit();
    const bundle = await exportBundle({
      store: usbKiosk.store,
      kioskId: 'proof-usb-01',
      keys: usbKiosk.keys,
      dataKey: usbKiosk.dataKey,
    });
    const sealing = await loadOrCreateSealingKey(bundleGateway.store);
    const reorder = (text: string): string => {
      try {
        const json = JSON.parse(text) as Record<string, unknown>;
        for (const [key, value] of Object.entries(json)) {
          if (Array.isArray(value) && value.length > 1) json[key] = [...value].reverse();
        }
        return JSON.stringify(json);
      } catch {
        return text;
      }
    };
    const damaged = fc.oneof(
      fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([i, mask]) => {
        const bytes = Buffer.from(bundle.text, 'utf8');
        const at = i % bytes.length;
        bytes[at] = (bytes[at] ?? 0) ^ mask;
        return bytes.toString('utf8');
      }),
      fc.nat().map((i) => bundle.text.slice(0, i % bundle.text.length)),
      fc.constant(reorder(bundle.text)),
      fc.constant(''),
      fc.string({ maxLength: 300 }),
    );
    let accepted = 0;
    await property('USB bundle', damaged, 300, async (text) => {
      const result = await importBundle(bundleGateway.store, sealing, text);
      if (result.ok && text !== bundle.text) {
        // A flip inside insignificant whitespace would be harmless; anything else must be refused.
        if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(JSON.parse(bundle.text))) {
          throw new Error('a damaged bundle was accepted');
        }
      }
      if (result.ok) accepted += 1;
      else if (!result.message) throw new Error('refused without a message');
    });
    const real = await importBundle(bundleGateway.store, sealing, bundle.text);
    const again = await importBundle(bundleGateway.store, sealing, bundle.text);
    const records = await bundleGateway.store.listRecords('proof-usb-01');
    if (!real.ok || !again.ok) figures.problems.push('the undamaged bundle was refused');
    if (records.length !== usbKiosk.committed.length) {
      figures.problems.push(
        `bundle import: ${records.length} records for ${usbKiosk.committed.length} committed`,
      );
      figures.lost += Math.max(0, usbKiosk.committed.length - records.length);
      figures.duplicated += Math.max(0, records.length - usbKiosk.committed.length);
    }
    figures.committed += usbKiosk.committed.length;
    figures.notes.push(
      `USB bundles: ${accepted} damaged copies accepted (must be whitespace-only), the real one imported once`,
    );
  } finally {
    await usbKiosk.close();
    await bundleGateway.close();
    await gateway.close();
  }
  return figures;
}
