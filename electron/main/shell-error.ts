export type ShellErrorCode =
  | 'already-initialized'
  | 'not-initialized'
  | 'bad-config'
  | 'bad-pin-hash'
  | 'custody-unavailable'
  | 'custody-corrupt';

const messages: Record<ShellErrorCode, string> = {
  'already-initialized': 'service is already initialized',
  'not-initialized': 'service is not initialized',
  'bad-config': 'shell config is invalid',
  'bad-pin-hash': 'operator PIN hash is malformed or too weak',
  'custody-unavailable': 'OS-level encryption (safeStorage) is not available',
  'custody-corrupt': 'sealed key file cannot be opened',
};

/** A coded error of the main process; the message for each code is kept here, in one place. */
export class ShellError extends Error {
  readonly code: ShellErrorCode;
  constructor(code: ShellErrorCode, detail?: string) {
    super(detail ? `${messages[code]}: ${detail}` : messages[code]);
    this.name = 'ShellError';
    this.code = code;
  }
}

/**
 * Guards a main-process service's `initialize`: services are created once, wired once, and a
 * second wiring (which would install every handler twice) is a programming error.
 */
export class InitializeOnce {
  private done = false;
  constructor(private readonly service: string) {}
  claim(): void {
    if (this.done) throw new ShellError('already-initialized', this.service);
    this.done = true;
  }
  get initialized(): boolean {
    return this.done;
  }
}
