#!/usr/bin/env bash
# Refresh the catalogs after changing user-visible strings:
#   bash i18n/update.sh [TRANSLATIONS.py ...]
# extracts the template, merges it into every locale, fills untranslated zh_CN entries from
# the given modules (each defines ZH, see fill.py) and compiles. A lock keeps two runs from
# writing the catalogs at once.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
exec 9>"${TMPDIR:-/tmp}/halldesk-i18n.lock"
flock 9
"$PY" -m babel.messages.frontend extract -F pyproject.toml -k N_ -k pgettext:1c,2 \
  --no-location --sort-output -o i18n/messages.pot app ui 2>&1 | grep -v "^extracting\|^writing" || true
"$PY" -m babel.messages.frontend update -i i18n/messages.pot -d i18n -D messages \
  --no-fuzzy-matching
for source in "$@"; do "$PY" i18n/fill.py "$source"; done
"$PY" -m babel.messages.frontend compile -d i18n -D messages
