import { useCallback, useState } from 'react';
import type { Dispatch } from 'react';
import { serviceFee } from '../../kiosk-config/service-fee';
import type { LanguageCode, ServiceDefinition } from '../../kiosk-config/schema';
import type { SignedInOfficer } from '../../sync/client/officer-session';
import type { KioskRuntime } from './kiosk-runtime';
import type { SessionAction } from './session';

/** Who completed a transaction on a citizen's behalf, as the receipt names them. */
export type ReceiptOfficer = Pick<SignedInOfficer, 'officerId' | 'name'>;

/**
 * Commits the citizen's application (runtime.submit: durable before the receipt is shown) and
 * remembers who completed it, the officer signed in at submit time, for the receipt screen. A
 * resumed receipt names the officer its open-receipt record kept.
 */
export function useSubmission(
  /** Undefined until the runtime has started (the consent screen waits for it). */
  runtime: Pick<KioskRuntime, 'submit' | 'officers' | 'catalogue' | 'openReceipt'> | undefined,
  dispatch: Dispatch<SessionAction>,
): {
  /** `fields`: the answers as submitted (service-steps.ts, submittedAnswers). */
  submit(
    service: ServiceDefinition,
    fields: Record<string, string>,
    language: LanguageCode,
  ): Promise<void>;
  receiptOfficer: ReceiptOfficer | undefined;
} {
  // Who completed the last submit here; before any, who completed the resumed receipt.
  const [submitted, setSubmitted] = useState<{ officer: ReceiptOfficer | undefined }>();
  const receiptOfficer = submitted ? submitted.officer : runtime?.openReceipt?.officer;
  const submit = useCallback(
    async (service: ServiceDefinition, fields: Record<string, string>, language: LanguageCode) => {
      if (!runtime) throw new Error('the kiosk is still starting');
      // Recorded inside the signed record: who completed it on the citizen's behalf.
      const assisting = runtime.officers.officer;
      // A bill's amount as the citizen stated it, or the catalogue's fixed fee.
      const fee = serviceFee(service, fields);
      const committed = await runtime.submit(
        {
          serviceId: service.id,
          catalogueVersion: runtime.catalogue.version,
          channel: assisting ? 'assisted' : 'self-service',
          ...(assisting ? { officerId: assisting.officerId } : {}),
          language,
          fee,
          fields,
        },
        { openReceipt: true },
      );
      setSubmitted({ officer: assisting });
      dispatch({ type: 'submitted', txId: committed.txId, ref: committed.ref, fee });
    },
    [runtime, dispatch],
  );
  return { submit, receiptOfficer };
}
