/**
 * Runs tasks one at a time per name: across tabs with Web Locks where the platform has them,
 * and always within this realm (Node tests have no `navigator.locks`).
 */
const tails = new Map<string, Promise<unknown>>();

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

function webLocks(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks;
}

export function withSerialLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = webLocks();
  const guarded = locks ? () => locks.request(name, task) : task;
  const previous = tails.get(name) ?? Promise.resolve();
  const run = previous.then(guarded, guarded);
  const tail = run.catch(() => undefined);
  tails.set(name, tail);
  void tail.then(() => {
    if (tails.get(name) === tail) tails.delete(name);
  });
  return run;
}
