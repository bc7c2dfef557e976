#!/usr/bin/env bash
# Quick start 1: set up, build the demo database (first time), open the desk application.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = Linux ]; then
  echo "Không có màn hình (DISPLAY): chạy ứng dụng trên màn hình ảo Xvfb." >&2
  exec xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/desk-app demo "$@"
fi
exec .venv/bin/desk-app demo "$@"
