import type { ChainRecord } from '../protocol/records';
import type { ChainHead, ItemResult } from '../protocol/wire';
import type { PublicKeyJwk } from '../protocol/device-signature';

export interface KioskRow {
  kioskId: string;
  publicKey: PublicKeyJwk;
  head: ChainHead;
  enrolledAt: string;
}

export interface TamperAlert {
  kioskId: string;
  seq: number | null;
  kind: string;
  detail: string;
  at: string;
}

/** A record that passed hash and signature checks, ready to be placed in the kiosk's chain. */
export interface VerifiedItem {
  record: ChainRecord;
}

export type EnrolOutcome = 'enrolled' | 'already-enrolled' | 'bad-token';

/**
 * Persistence of the reference gateway. Each method is atomic: `applyBatch` places a whole
 * batch in one database transaction, so a crash leaves either all of it or none.
 */
export interface GatewayStore {
  readonly kind: 'sqlite' | 'postgres';
  addEnrolmentToken(kioskId: string, tokenHash: string): Promise<void>;
  enrol(kioskId: string, tokenHash: string, publicKey: PublicKeyJwk): Promise<EnrolOutcome>;
  getKiosk(kioskId: string): Promise<KioskRow | undefined>;
  applyBatch(
    kioskId: string,
    items: VerifiedItem[],
  ): Promise<{ results: ItemResult[]; head: ChainHead }>;
  addTamperAlert(alert: TamperAlert): Promise<void>;
  listTamperAlerts(kioskId?: string): Promise<TamperAlert[]>;
  countRecords(kioskId: string): Promise<{ chained: number; awaiting: number }>;
  listRecords(kioskId: string): Promise<ChainRecord[]>;
  close(): Promise<void>;
}
