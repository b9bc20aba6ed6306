#!/usr/bin/env bash
# `npm test`: every check, phase by phase, with each phase's time.
#   1. static checks side by side: typecheck, lint, Electronegativity (each is one process, so on a
#      2-core machine two of them run at once); their output is shown whole, one after another;
#   2. unit and integration tests (vitest);
#   3. browser tests (Playwright).
# Stops at the first phase that fails; exits non-zero if any check failed.
set -u
cd "$(dirname "$0")/../.."

static=(typecheck lint test:electronegativity)
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

began=$SECONDS
for script in "${static[@]}"; do
  (
    start=$SECONDS
    npm run --silent "$script" >"$logs/$script.log" 2>&1
    echo "$? $((SECONDS - start))" >"$logs/$script.status"
  ) &
done
wait
failed=0
for script in "${static[@]}"; do
  echo "> npm run $script"
  cat "$logs/$script.log"
  read -r status seconds <"$logs/$script.status"
  if [ "$status" = 0 ]; then
    echo "[test] $script passed in ${seconds} s"
  else
    echo "[test] $script FAILED (exit $status) after ${seconds} s"
    failed=1
  fi
done
echo "[test] static checks: $((SECONDS - began)) s"
[ "$failed" = 0 ] || exit 1

for script in test:unit test:e2e; do
  start=$SECONDS
  echo "> npm run $script"
  npm run --silent "$script"
  status=$?
  if [ "$status" != 0 ]; then
    echo "[test] $script FAILED (exit $status) after $((SECONDS - start)) s"
    exit "$status"
  fi
  echo "[test] $script passed in $((SECONDS - start)) s"
done
echo "[test] all checks passed in $((SECONDS - began)) s"
