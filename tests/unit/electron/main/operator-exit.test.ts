import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../../electron/main/logger';
import { OperatorExitService } from '../../../../electron/main/operator-exit';
import { hashOperatorPin, parsePinHash } from '../../../../electron/main/operator-pin';
import { FakeClock } from './fake-clock';

// The smallest cost the service accepts, so the suite stays quick; production hashes use 2^15.
const testParams = { N: 2 ** 14, r: 8, p: 1 };
let pinHash = '';

beforeAll(async () => {
  pinHash = await hashOperatorPin('482913', testParams);
});

function setup(...args: [] | [string | undefined]) {
  const hash = args.length === 0 ? pinHash : args[0];
  const clock = new FakeClock();
  const logger = createMemoryLogger();
  let exits = 0;
  const service = new OperatorExitService({
    pinHash: hash,
    clock,
    logger,
    exit: () => {
      exits += 1;
    },
  });
  service.initialize();
  return { clock, logger, service, exits: () => exits };
}

describe('the operator exit', () => {
  it('stores the PIN as a salted scrypt hash, never the PIN itself', async () => {
    expect(pinHash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(pinHash).not.toContain('482913');
    expect(await hashOperatorPin('482913', testParams)).not.toBe(pinHash);
  });

  it('leaves kiosk mode with the right PIN', async () => {
    const { service, exits } = setup();
    expect(await service.attempt('482913')).toEqual({ result: 'exiting' });
    expect(exits()).toBe(1);
  });

  it('refuses a wrong PIN and says how many tries are left', async () => {
    const { service, exits } = setup();
    expect(await service.attempt('000000')).toEqual({ result: 'wrong-pin', attemptsLeft: 4 });
    expect(exits()).toBe(0);
  });

  it('locks out after 5 wrong PINs, even the right one, until the lock-out ends', async () => {
    const { service, clock, exits, logger } = setup();
    for (let i = 0; i < 4; i += 1) await service.attempt('111111');
    expect(await service.attempt('222222')).toEqual({ result: 'locked', retryAfterSeconds: 900 });
    expect(await service.attempt('482913')).toMatchObject({ result: 'locked' });
    expect(exits()).toBe(0);
    expect(logger.entries.some((e) => e.event === 'operator-exit.locked-out')).toBe(true);
    clock.advance(15 * 60_000);
    expect(await service.attempt('482913')).toEqual({ result: 'exiting' });
  });

  it('counts parallel guesses one by one, so a burst cannot get past the lock-out', async () => {
    const { service, exits } = setup();
    const guesses = ['100000', '100001', '100002', '100003', '100004', '482913'];
    const results = await Promise.all(guesses.map((pin) => service.attempt(pin)));
    expect(results.at(-1)).toMatchObject({ result: 'locked' });
    expect(exits()).toBe(0);
  });

  it('is disabled when no PIN hash is configured', async () => {
    const { service, exits } = setup(undefined);
    expect(await service.attempt('482913')).toEqual({ result: 'disabled' });
    expect(exits()).toBe(0);
  });

  it('is disabled, not open, when the configured hash is malformed or too cheap', async () => {
    const weak = await hashOperatorPin('482913', { N: 2 ** 10, r: 8, p: 1 });
    expect(() => parsePinHash(weak)).toThrow(/too weak/);
    for (const hash of [weak, 'plain-482913', 'scrypt$16384$8$1$$']) {
      const { service, exits } = setup(hash);
      expect(await service.attempt('482913')).toEqual({ result: 'disabled' });
      expect(exits()).toBe(0);
    }
  });

  it('refuses a second initialize', () => {
    const { service } = setup();
    expect(() => service.initialize()).toThrow(/already initialized/);
  });
});
