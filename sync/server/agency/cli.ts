import { readFileSync, writeFileSync } from 'node:fs';
import { agencyIdSchema, feedItemSchema } from '../../protocol/agency-wire';
import type { AgencyEvent } from '../../protocol/agency-wire';
import {
  ecPrivateJwkSchema,
  ecPublicJwkSchema,
  publicJwkOf,
} from '../../protocol/crypto-primitives';
import type { EcPrivateJwk } from '../../protocol/crypto-primitives';
import { personalDigest, personalPayloadSchema } from '../../protocol/personal-fields';
import { generateSealingKey, openSealed } from '../../protocol/sealed-box';
import { nodeCrypto } from '../node-crypto';
import type { GatewayStore } from '../store';
import { makeApiKey, makeWebhookSecret } from './credentials';
import { webhookUrlProblem } from './webhooks';

export interface AgencyCliValues {
  id?: string;
  name?: string;
  service?: string[];
  'public-key'?: string;
  webhook?: string;
  key?: string;
  out?: string;
}

export const agencyHelp = `  npm run gateway -- agency add --id <agency> --name <name> --service <serviceId>...
                             --public-key <agency-key.pub.json> [--webhook <https url>]
                             register an agency for the services it owns; prints its API key
                             (and webhook signing secret) once: the gateway keeps only a hash
  npm run gateway -- agency update --id <agency> [--name <name>] [--service <serviceId>...]
                             [--public-key <file>] [--webhook <url> | --webhook none]
                             change an agency (--service replaces the services it owns)
  npm run gateway -- agency rotate-key --id <agency>    a new API key (the old one stops working)
  npm run gateway -- agency disable|enable --id <agency>
  npm run gateway -- agency list
  npm run gateway -- agency keygen --out <agency-key.json>
                             for an agency: a P-256 key pair (private file mode 0600, public
                             beside it as <name>.pub.json) to register with --public-key
  npm run gateway -- agency open --key <agency-key.json> < reply.json
                             for an agency: print the personal fields of a feed reply or event
                             (read from stdin), opened with the agency's private key
`;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === '') throw new Error(`agency commands need ${what}`);
  return value;
}

function readPublicKey(file: string) {
  try {
    return ecPublicJwkSchema.parse(JSON.parse(readFileSync(file, 'utf8')) as unknown);
  } catch (error) {
    throw new Error(`--public-key ${file} is not a P-256 public JWK: ${(error as Error).message}`);
  }
}

function checkWebhook(url: string): string {
  const problem = webhookUrlProblem(url);
  if (problem) throw new Error(problem);
  return url;
}

/** Commands that need no gateway database (they run on the agency's side). */
export async function agencyToolCommand(
  verb: string | undefined,
  values: AgencyCliValues,
  stdin: () => Promise<string>,
  print: (line: string) => void,
): Promise<boolean> {
  if (verb === 'keygen') {
    const out = need(values.out, '--out <file>');
    const privateJwk = await generateSealingKey();
    const pub = out.replace(/\.json$/, '') + '.pub.json';
    writeFileSync(out, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
    writeFileSync(pub, `${JSON.stringify(publicJwkOf(privateJwk))}\n`);
    print(`private key: ${out} (keep it on the agency's system only)`);
    print(`public key:  ${pub} (give it to the gateway administrator)`);
    return true;
  }
  if (verb === 'open') {
    const key: EcPrivateJwk = ecPrivateJwkSchema.parse(
      JSON.parse(readFileSync(need(values.key, '--key <agency-key.json>'), 'utf8')) as unknown,
    );
    const input = JSON.parse(await stdin()) as unknown;
    const events = eventsIn(input);
    for (const event of events) {
      if (event.type !== 'org.service-point.application.delivered') continue;
      const { data } = event;
      let fields: Record<string, string> = {};
      let check = 'no personal fields';
      if (data.personal) {
        const payload = personalPayloadSchema.parse(
          JSON.parse(await openSealed(key, data.personal.sealed, data.txId, nodeCrypto)) as unknown,
        );
        fields = payload.fields;
        check =
          (await personalDigest(payload, nodeCrypto)) === data.personal.digest
            ? 'digest matches the signed record'
            : 'DIGEST MISMATCH';
      }
      print(JSON.stringify({ position: data.position, ref: data.ref, personal: fields, check }));
    }
    return true;
  }
  return false;
}

function eventsIn(input: unknown): AgencyEvent[] {
  const record = input as { items?: unknown[]; event?: unknown; specversion?: unknown };
  if (Array.isArray(record.items))
    return record.items.map((item) => feedItemSchema.parse(item).event);
  if (record.event) return [feedItemSchema.parse(input).event];
  return [feedItemSchema.shape.event.parse(input)];
}

/** The administrator's agency commands, on the gateway's database. */
export async function agencyAdminCommand(
  store: GatewayStore,
  verb: string | undefined,
  values: AgencyCliValues,
  print: (line: string) => void,
): Promise<void> {
  if (verb === 'list') {
    const agencies = await store.agencies.list();
    if (agencies.length === 0) print('no agencies registered');
    for (const agency of agencies) {
      const cursor = await store.agencies.feedCursor(agency.agencyId);
      print(
        `${agency.agencyId}\t${agency.name}\tservices: ${agency.services.join(', ') || '-'}\t` +
          `webhook: ${agency.webhookUrl ?? '-'}\tfeed: ${cursor.ackedThrough}/${cursor.head} acknowledged` +
          (agency.disabledAt ? `\tDISABLED since ${agency.disabledAt}` : ''),
      );
    }
    return;
  }
  const agencyId = need(values.id, '--id <agency>');
  if (!agencyIdSchema.safeParse(agencyId).success) {
    throw new Error('--id must be lower-case letters, digits and dashes (2-63 characters)');
  }
  if (verb === 'add') {
    const services = need(values.service?.length ? values.service : undefined, '--service <id>');
    const publicKey = readPublicKey(need(values['public-key'], '--public-key <file>'));
    const apiKey = makeApiKey(agencyId);
    const webhookUrl = values.webhook ? checkWebhook(values.webhook) : null;
    const webhookSecret = webhookUrl ? makeWebhookSecret() : null;
    const { backfilled } = await store.agencies.register({
      agencyId,
      name: need(values.name, '--name <name>'),
      services,
      keyHash: apiKey.hash,
      publicKey,
      webhookUrl,
      webhookSecret,
    });
    print(`agency ${agencyId} registered for ${services.join(', ')}`);
    print(`${backfilled} application(s) already delivered are in its feed`);
    print(`API key (shown once): ${apiKey.key}`);
    if (webhookSecret) print(`webhook signing secret (shown once): ${webhookSecret}`);
    return;
  }
  if (verb === 'update') {
    const current = await store.agencies.get(agencyId);
    if (!current) throw new Error(`no agency ${agencyId}`);
    let webhookSecret: string | null | undefined;
    let webhookUrl: string | null | undefined;
    if (values.webhook === 'none') {
      webhookUrl = null;
      webhookSecret = null;
    } else if (values.webhook) {
      webhookUrl = checkWebhook(values.webhook);
      webhookSecret = current.webhookSecret ?? makeWebhookSecret();
    }
    const { backfilled } = await store.agencies.update(agencyId, {
      ...(values.name ? { name: values.name } : {}),
      ...(values.service?.length ? { services: values.service } : {}),
      ...(values['public-key'] ? { publicKey: readPublicKey(values['public-key']) } : {}),
      ...(webhookUrl !== undefined ? { webhookUrl, webhookSecret } : {}),
    });
    print(`agency ${agencyId} updated; ${backfilled} application(s) added to its feed`);
    if (webhookSecret && webhookSecret !== current.webhookSecret) {
      print(`webhook signing secret (shown once): ${webhookSecret}`);
    }
    return;
  }
  if (verb === 'rotate-key') {
    if (!(await store.agencies.get(agencyId))) throw new Error(`no agency ${agencyId}`);
    const apiKey = makeApiKey(agencyId);
    await store.agencies.update(agencyId, { keyHash: apiKey.hash });
    print(`new API key for ${agencyId} (shown once; the old one no longer works): ${apiKey.key}`);
    return;
  }
  if (verb === 'disable' || verb === 'enable') {
    if (!(await store.agencies.get(agencyId))) throw new Error(`no agency ${agencyId}`);
    await store.agencies.update(agencyId, { disabled: verb === 'disable' });
    print(`agency ${agencyId} ${verb}d`);
    return;
  }
  throw new Error(
    'usage: npm run gateway -- agency add|update|rotate-key|disable|enable|list ... (see --help)',
  );
}
