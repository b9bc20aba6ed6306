/** Coded errors of the sync client; messages live here, callers pass only the code and details. */
const messages = {
  'commit-conflict': 'The chain head moved during a commit; the commit was retried and failed.',
  'commit-failed': 'The transaction could not be saved on this kiosk.',
  'invalid-record': 'A record failed validation before it was committed.',
  'gateway-unreachable': 'The gateway did not answer.',
  'gateway-error': 'The gateway answered with an error.',
  'bad-reply': 'The gateway reply did not match the protocol.',
  'enrolment-failed': 'The gateway refused to enrol this kiosk.',
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
