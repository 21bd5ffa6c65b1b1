#!/usr/bin/env bash
# Install a built bundle system-wide (run as root):  bash packaging/linux/install.sh [DIST]
#   DIST: the folder holding HallDesk/ (default: dist/ of the checkout)
# Puts the program in /opt/HallDesk, the `halldesk` command in /usr/local/bin, the desktop
# entry and the icons where desktops look. The store and logs stay per user
# (~/.local/share/HallDesk), never in /opt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dist="${1:-$root/dist}"
prefix="${PREFIX:-/usr/local}"
test -x "$dist/HallDesk/HallDesk" || { echo "no bundle at $dist/HallDesk" >&2; exit 1; }
rm -rf /opt/HallDesk
cp -a "$dist/HallDesk" /opt/HallDesk
ln -sf /opt/HallDesk/HallDesk "$prefix/bin/halldesk"
install -Dm644 "$here/halldesk.desktop" "$prefix/share/applications/halldesk.desktop"
for size in 16 24 32 48 64 128 256 512; do
  install -Dm644 "$root/resources/icons/halldesk-$size.png" \
    "$prefix/share/icons/hicolor/${size}x${size}/apps/halldesk.png"
done
install -Dm644 "$root/resources/icons/halldesk.svg" \
  "$prefix/share/icons/hicolor/scalable/apps/halldesk.svg"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$prefix/share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q "$prefix/share/icons/hicolor" || true
/opt/HallDesk/HallDesk --self-test
