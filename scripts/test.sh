#!/usr/bin/env bash
# Quick start 2: set up, then run the whole test suite (import contracts included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
