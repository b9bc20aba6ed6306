import type { QueueItem } from '../../../sync/client/officer-queue';
import type { HeldReceipt } from '../../components/held-print';

/** The state an officer sees for a queue item: a voided transaction shows as voided. */
export function itemState(item: QueueItem): string {
  return item.voided ? 'voided' : item.state;
}

/** A line for the officer: the text, and whether it reports a failure. */
/**
 * Says a result on the officer's tools. `held`: the receipt waits for the printer; once it has
 * printed (components/held-print.ts) the line says `held.printed` instead.
 */
export type OfficerNotice = (text: string, error?: boolean, held?: HeldReceipt) => void;
