#!/usr/bin/env bash
# The CI gate for a change to a procedure file: a review comment in Markdown, and exit 1 when the
# change adds burden or lowers readiness.
#
#   examples/reform-review/check-change.sh BEFORE AFTER [REVIEW.md]
#
# BEFORE and AFTER are files, or REV:PATH for a file in git: in a pull request, compare each changed
# procedure with its version on the target branch, e.g.
#
#   for f in $(git diff --name-only origin/main -- procedures/); do
#     examples/reform-review/check-change.sh "origin/main:$f" "$f" "review-$(basename "$f" .yaml).md"
#   done
set -euo pipefail
before=$1
after=$2
review=${3:-/dev/stdout}
catalogue=${THUTUC_CATALOGUE:-procedures/catalogue}
thutuc diff "$before" "$after" --catalogue "$catalogue" --format md \
  --fail-on burden-increase,readiness-decrease,document-added,visit-added,presence-added,fee-increase \
  > "$review"
