import { amountMinor } from './field-validation';
import type { Money, ServiceDefinition } from './schema';

/**
 * What the citizen is charged: the catalogue's fixed fee, or, for a service with a `feeField`
 * (a bill paid by its amount), the answer to that field in minor units of the fee's currency
 * (0 until it is a valid amount).
 */
export function serviceFee(
  service: Pick<ServiceDefinition, 'fee' | 'feeField'>,
  answers: Record<string, string>,
): Money {
  if (service.feeField === undefined) return service.fee;
  return {
    amountMinor: amountMinor(answers[service.feeField] ?? '') ?? 0,
    currency: service.fee.currency,
  };
}
