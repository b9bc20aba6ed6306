#!/bin/sh
# deb post-install: the group the udev rules grant device access to, and the rules themselves.
# The kiosk user is added to the group by the administrator (see the README, Kiosk shell).
set -e
getent group servicepoint >/dev/null 2>&1 || groupadd --system servicepoint
RULES_SRC="/opt/Service Point/resources/linux/70-service-point-devices.rules"
if [ -f "$RULES_SRC" ] && [ ! -e /etc/udev/rules.d/70-service-point-devices.rules ]; then
  # Installed once; a site's edited copy (with its own device ids) is never overwritten.
  cp "$RULES_SRC" /etc/udev/rules.d/70-service-point-devices.rules
  udevadm control --reload-rules 2>/dev/null || true
  udevadm trigger 2>/dev/null || true
fi
exit 0
