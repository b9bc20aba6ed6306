import { CloudEvent } from 'cloudevents';
import { AGENCY_EVENT_TYPES, agencyEventSchema } from '../../protocol/agency-wire';
import type { AgencyEvent, FeedItem } from '../../protocol/agency-wire';
import type { CryptoPrimitives } from '../../protocol/crypto-primitives';
import { openSealed, sealTo } from '../../protocol/sealed-box';
import { nodeCrypto } from '../node-crypto';
import type { SealingKey } from '../sealing-key';
import type { Agency, FeedEntry } from './agencies';

/**
 * The CloudEvent for one feed entry, as the feed and webhooks carry it. A delivered
 * application's personal fields are opened with the gateway's sealing key and sealed again to
 * the agency's public key (additional data: the transaction id), so they travel and rest outside
 * the gateway readable by that agency alone: not by a TLS-terminating load balancer, a proxy or
 * a log on the way, nor by whoever learns only its API key. Built with the `cloudevents` package,
 * which checks the event against the CloudEvents 1.0 specification.
 */
export async function agencyEvent(
  entry: FeedEntry,
  agency: Pick<Agency, 'agencyId' | 'publicKey'>,
  sealing: SealingKey,
  primitives: CryptoPrimitives = nodeCrypto,
): Promise<AgencyEvent> {
  const { record } = entry;
  const base = {
    id: entry.eventId,
    source: `/service-point/kiosks/${record.kioskId}`,
    subject: entry.ref,
    time: entry.receivedAt,
    datacontenttype: 'application/json',
  };
  let event: CloudEvent<unknown>;
  if (entry.kind === 'delivered' && record.kind === 'transaction') {
    const body = record.body;
    let personal = null;
    if (body.personal && entry.personal) {
      const opened = await openSealed(sealing.privateJwk, entry.personal, body.txId, primitives);
      personal = {
        fieldIds: body.personal.fieldIds,
        digest: body.personal.digest,
        sealed: await sealTo(agency.publicKey, opened, body.txId, primitives),
      };
    }
    event = new CloudEvent({
      ...base,
      type: AGENCY_EVENT_TYPES.delivered,
      data: {
        position: entry.position,
        agencyId: agency.agencyId,
        ref: body.ref,
        txId: body.txId,
        serviceId: body.serviceId,
        kioskId: record.kioskId,
        seq: record.seq,
        channel: body.channel,
        language: body.language,
        catalogueVersion: body.catalogueVersion,
        submittedAt: record.createdAt,
        receivedAt: entry.receivedAt,
        fee: body.fee,
        fields: body.fields,
        ...(body.officerId ? { officerId: body.officerId } : {}),
        personal,
        recordHash: record.hash,
      },
    });
  } else if (entry.kind === 'voided' && record.kind === 'void') {
    event = new CloudEvent({
      ...base,
      type: AGENCY_EVENT_TYPES.voided,
      data: {
        position: entry.position,
        agencyId: agency.agencyId,
        ref: entry.ref,
        txId: entry.txId,
        voidId: record.body.txId,
        officerId: record.body.officerId,
        reason: record.body.reason,
        voidedAt: record.createdAt,
        receivedAt: entry.receivedAt,
      },
    });
  } else {
    throw new Error(
      `feed entry ${entry.position} of ${entry.agencyId} holds a ${record.kind} record`,
    );
  }
  // Through JSON text: the object form carries the unset optional attributes as undefined.
  return agencyEventSchema.parse(JSON.parse(event.toString()) as unknown);
}

/** A feed entry as the feed lists it. */
export async function feedItem(
  entry: FeedEntry,
  agency: Pick<Agency, 'agencyId' | 'publicKey'>,
  sealing: SealingKey,
): Promise<FeedItem> {
  return {
    position: entry.position,
    deliveryCount: entry.deliveries,
    event: await agencyEvent(entry, agency, sealing),
  };
}
