#!/usr/bin/env bash
# CI for a reform team's repository: validate, run the thutuc pytest plugin (scenario properties and
# the burden gate against the main branch), then print the gate of every changed procedure file.
# BASE names the branch a change is compared with (default: main).
set -euo pipefail
cd "$(dirname "$0")"
BASE="${BASE:-main}"
GATE="burden-increase,readiness-decrease,document-added,visit-added"

thutuc validate procedures/

if git rev-parse --verify --quiet "$BASE" > /dev/null; then
  python -m pytest --thutuc-baseline "$BASE"
  # The same gate as a review comment: what changed in each procedure, in the terms of a reform.
  git diff --name-only --relative --diff-filter=M "$BASE" -- procedures/ | { grep -v /catalogue/ || true; } |
    while read -r file; do
      thutuc diff "$BASE:./$file" "$file" --format md --fail-on "$GATE"
    done
else
  echo "no branch '$BASE' to compare with: the gate is skipped" >&2
  python -m pytest
fi
