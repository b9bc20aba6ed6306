import type { TransactionInput } from '../../../sync/client/commit';

export const kioskId = 'unit-kiosk-01';

/** A birth-certificate request: two personal fields, one that is not. */
export const birthCertificate: TransactionInput = {
  serviceId: 'birth-certificate-replacement',
  catalogueVersion: '2026.11.1',
  channel: 'self-service',
  language: 'en',
  fee: { amountMinor: 1000, currency: 'BZD' },
  fields: { fullName: 'Ana Pérez Quetzal', dateOfBirth: '1990-04-01', district: 'cayo' },
  personalFieldIds: ['fullName', 'dateOfBirth'],
};

export const personalValues = ['Ana Pérez Quetzal', '1990-04-01'];
