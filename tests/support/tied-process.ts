/**
 * A command line that runs `command args` under a small bash watchdog tied to this test process:
 * should the test process die without stopping it (a Playwright worker killed on a timeout,
 * Ctrl+C, a CI job cancelled), the watchdog sends SIGTERM to what it started (to its whole process
 * group with `group`, for a `detached` spawn), then SIGKILL after `graceSeconds`, and
 * removes `cleanup` paths. A SIGTERM to the watchdog itself is passed on to the command, and the
 * watchdog exits only when the command has exited, with its status, so a caller waiting for the
 * exit still sees a graceful stop finish.
 *
 * Returns `[file, args]` for `spawn`.
 */
export function tiedToThisProcess(
  command: string,
  args: readonly string[],
  options: {
    graceSeconds?: number;
    cleanup?: readonly string[];
    /** The watchdog is spawned `detached`, so it leads a process group that goes with it. */
    group?: boolean;
  } = {},
): [string, string[]] {
  const script = [
    'parent=$1; grace=$2; cleanup=$3; group=$4; shift 4',
    '"$@" & child=$!',
    'trap \'kill -TERM "$child" 2>/dev/null\' TERM INT HUP',
    'while kill -0 "$child" 2>/dev/null; do',
    '  if ! kill -0 "$parent" 2>/dev/null; then',
    // The test process is gone: stop the command (and its group, when this leads one).
    '    if [ "$group" = 1 ]; then kill -TERM -- -$$ 2>/dev/null; else kill -TERM "$child" 2>/dev/null; fi',
    '    for _ in $(seq "$grace"); do kill -0 "$child" 2>/dev/null || break; sleep 1; done',
    '    kill -KILL "$child" 2>/dev/null',
    '    [ -n "$cleanup" ] && rm -rf -- $cleanup',
    // Last, whatever else is left in the group (this watchdog with it).
    '    [ "$group" = 1 ] && kill -KILL -- -$$ 2>/dev/null',
    '    exit 1',
    '  fi',
    '  sleep 1 & wait $! 2>/dev/null',
    'done',
    'wait "$child"; status=$?',
    '[ -n "$cleanup" ] && rm -rf -- $cleanup',
    'exit "$status"',
  ].join('\n');
  return [
    'bash',
    [
      '-c',
      script,
      'tied-process',
      String(process.pid),
      String(options.graceSeconds ?? 10),
      (options.cleanup ?? []).join(' '),
      options.group ? '1' : '0',
      command,
      ...args,
    ],
  ];
}
