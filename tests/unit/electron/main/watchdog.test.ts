import { beforeEach, describe, expect, it } from 'vitest';
import { FakeWebContents, defaultSession, resetElectronFake } from '../../../support/electron-fake';
import { createMemoryLogger } from '../../../../electron/main/logger';
import { defaultShellConfig } from '../../../../electron/main/shell-config';
import { WatchdogService } from '../../../../electron/main/watchdog';
import { FakeClock } from './fake-clock';

const APP = 'app://kiosk/';
const OUT = 'app://kiosk/__shell/out-of-service.html';
const limits = { ...defaultShellConfig.watchdog }; // 3 crashes in 10 minutes; 1 s doubling to 30 s

function crash(contents: FakeWebContents): void {
  contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
}

describe('the watchdog', () => {
  let clock: FakeClock;
  let contents: FakeWebContents;
  let logger: ReturnType<typeof createMemoryLogger>;
  let watchdog: WatchdogService;

  beforeEach(() => {
    resetElectronFake();
    clock = new FakeClock();
    contents = new FakeWebContents(defaultSession);
    logger = createMemoryLogger();
    watchdog = new WatchdogService({
      contents: contents as never,
      clock,
      logger,
      limits,
      appUrl: APP,
      outOfServiceUrl: OUT,
    });
    watchdog.initialize();
  });

  it('reloads the app after a crash, but only once the back-off has passed', () => {
    crash(contents);
    expect(watchdog.state).toBe('reloading');
    clock.advance(999);
    expect(contents.loadedUrls).toEqual([]);
    clock.advance(1);
    expect(contents.loadedUrls).toEqual([APP]);
    expect(watchdog.state).toBe('running');
  });

  it('doubles the back-off with each recent crash', () => {
    const reloadTimes: number[] = [];
    const start = clock.now();
    for (let i = 0; i < 3; i += 1) {
      crash(contents);
      const before = contents.loadedUrls.length;
      while (contents.loadedUrls.length === before) clock.advance(100);
      reloadTimes.push(clock.now());
    }
    expect(reloadTimes[0]! - start).toBe(1_000);
    expect(reloadTimes[1]! - reloadTimes[0]!).toBe(2_000);
    expect(reloadTimes[2]! - reloadTimes[1]!).toBe(4_000);
  });

  it('kills a hung renderer and reloads it, counting the hang once', () => {
    contents.emit('unresponsive');
    expect(contents.forcedCrashes).toBe(1);
    clock.advance(1_000);
    expect(contents.loadedUrls).toEqual([APP]);
    const incidents = logger.entries.filter((e) =>
      ['watchdog.unresponsive', 'watchdog.render-process-gone'].includes(e.event),
    );
    expect(incidents.map((e) => e.event)).toEqual(['watchdog.unresponsive']);
  });

  it('shows the out-of-service page in a crash loop (more than 3 crashes in 10 minutes)', () => {
    for (let i = 0; i < 4; i += 1) {
      crash(contents);
      clock.advance(100);
    }
    expect(watchdog.state).toBe('out-of-service');
    expect(contents.loadedUrls.at(-1)).toBe(OUT);
    expect(logger.entries.some((e) => e.event === 'watchdog.out-of-service')).toBe(true);
  });

  it('keeps trying the app from the out-of-service page and stays up once it stops crashing', () => {
    for (let i = 0; i < 4; i += 1) crash(contents);
    expect(contents.loadedUrls).toEqual([OUT]);
    clock.advance(limits.outOfServiceRetryMs);
    expect(contents.loadedUrls).toEqual([OUT, APP]);
    expect(watchdog.state).toBe('running');
    // It crashes again at once: still a loop, back to the page, and another try later.
    crash(contents);
    expect(contents.loadedUrls.at(-1)).toBe(OUT);
    clock.advance(limits.outOfServiceRetryMs);
    expect(contents.loadedUrls.at(-1)).toBe(APP);
    // This time it holds: nothing else is loaded, however long we wait.
    const loads = contents.loadedUrls.length;
    clock.advance(60 * 60_000);
    expect(contents.loadedUrls.length).toBe(loads);
    expect(watchdog.state).toBe('running');
  });

  it('forgets crashes older than the window: spaced-out crashes never reach the page', () => {
    for (let i = 0; i < 10; i += 1) {
      crash(contents);
      clock.advance(11 * 60_000);
    }
    expect(contents.loadedUrls).not.toContain(OUT);
    expect(contents.loadedUrls.filter((u) => u === APP)).toHaveLength(10);
  });

  it('logs every event with the crash reason', () => {
    crash(contents);
    const entry = logger.entries.find((e) => e.event === 'watchdog.render-process-gone');
    expect(entry?.detail).toMatchObject({ reason: 'crashed', exitCode: 11, recentCrashes: 1 });
  });

  it('refuses a second initialize', () => {
    expect(() => watchdog.initialize()).toThrow(/already initialized/);
  });
});
