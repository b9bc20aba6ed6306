#!/usr/bin/env bash
# Makes sure the system packages the kiosk needs are present. Installs them with apt-get when it
# can (root on Debian/Ubuntu); otherwise says exactly what to install. Usage: ensure-system-deps.sh start|test
set -u
mode="${1:-start}"
trace() { [ "${SERVICE_POINT_TRACE:-}" = 1 ] && echo "[service-point] trace $(date +%s%3N) $1"; return 0; }
trace 'system check started'
missing=()
have() { command -v "$1" >/dev/null 2>&1; }
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

chromium_found() {
  [ -n "${CHROME_PATH:-}" ] && [ -x "${CHROME_PATH}" ] && return 0
  for c in chromium chromium-browser google-chrome google-chrome-stable; do have "$c" && return 0; done
  return 1
}

[ "$(uname -s)" = "Linux" ] || exit 0
chromium_found || missing+=(chromium)
has_lib libusb-1.0.so.0 || missing+=(libusb-1.0-0)
# The screen's size, so the kiosk window covers it where no window manager makes it full screen
# (xrandr; xdpyinfo and xwininfo from x11-utils also do).
have xrandr || have xdpyinfo || have xwininfo || missing+=(x11-xserver-utils)
# Offline speech for Read aloud (Setswana, Spanish, Kriol through the Caribbean English voice).
have espeak-ng || missing+=(espeak-ng)
if [ "$mode" = "test" ]; then
  have pdftotext || missing+=(poppler-utils)
  have xvfb-run || missing+=(xvfb xauth)
  fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
  # The field test: real X key and pointer events, the X window list, screenshots.
  have xdotool || missing+=(xdotool)
  have xwininfo || missing+=(x11-utils)
  { have import && have compare; } || missing+=(imagemagick)
  # A decoder nobody here wrote reads the receipt's QR code off the screen (small-screen test).
  have zbarimg || missing+=(zbar-tools)
  # The browser tests drive pages in the headless shell of the same Chromium (tests/support/
  # chromium-args.ts); without it they use the full browser, more slowly.
  [ -n "${CHROME_PATH:-}" ] || have chromium-headless-shell || missing+=(chromium-headless-shell)
fi
trace 'system check done'
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && have apt-get; then
  echo "[service-point] installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null && exit 0
  echo "[service-point] apt-get could not install: ${missing[*]}" >&2
fi
echo "[service-point] missing system packages: ${missing[*]}" >&2
echo "[service-point] install them with: sudo apt-get install ${missing[*]}" >&2
# The browser shell can still be opened by hand without Chromium; tests cannot run without it.
[ "$mode" = "test" ] && exit 1
exit 0
