/** Coded errors of the sync client; messages live here, callers pass only the code and details. */
const messages = {
  'commit-conflict': 'The chain head moved during a commit; the commit was retried and failed.',
  'commit-failed': 'The transaction could not be saved on this kiosk.',
  'invalid-record': 'A record failed validation before it was committed.',
  'gateway-unreachable': 'The gateway did not answer.',
  'gateway-error': 'The gateway answered with an error.',
  'bad-reply': 'The gateway reply did not match the protocol.',
  'enrolment-failed': 'The gateway refused to enrol this kiosk.',
  'no-data-key': 'Personal data cannot be saved: the data key is not available.',
  'no-gateway-key': 'The gateway key for sealing personal data is not known yet.',
  'storage-low': 'This kiosk is running out of storage; new sessions are paused.',
  'personal-data-unreadable': 'The personal data of a transaction could not be decrypted.',
  'void-refused': 'This transaction cannot be voided.',
  'reprint-refused': 'This receipt cannot be printed again.',
  'retry-refused': 'This item cannot be retried.',
  'officer-sign-in-refused': 'The officer could not be signed in.',
  'bundle-export-failed': 'The USB bundle could not be made.',
} as const;

export type SyncErrorCode = keyof typeof messages;

export class SyncError extends Error {
  readonly code: SyncErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: SyncErrorCode, details: Record<string, unknown> = {}) {
    super(`${messages[code]}${details.reason ? ` (${String(details.reason)})` : ''}`);
    this.name = 'SyncError';
    this.code = code;
    this.details = details;
  }
}
