#!/usr/bin/env bash
# Runs every benchmark in one go and prints their tables (ratios against the
# baselines each one names). Needs what scripts/ci-setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "## cargo berth build (bench/build)"
go run ./bench/build -runs 5
if [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/aarch64-unknown-linux-gnu ]; then
  echo
  echo "## cargo berth build --platform linux/amd64,linux/arm64 (bench/platform; goal ≤ 2.2x amd64 alone)"
  go run ./bench/platform -runs 4
  if command -v zig >/dev/null; then
    echo
    echo "## --zig --platform linux/amd64,linux/arm64 against Debian's cross gcc (bench/zig; goal ≤ 1.2x)"
    go run ./bench/zig -runs 4
  fi
fi
echo
echo "## a 525 MB binary: packaging, peak memory, push (bench/big)"
bench/big/run.sh
echo
echo "## cargo berth prepare on a 300-member workspace (bench/prepare; goal ≤ 200 ms)"
go test ./bench/prepare -run '^$' -bench . -benchtime 20x | grep -E '^Benchmark'
echo
echo "## resolve and index against a local registry (bench/deploy; goals ≤ 1.1x one by one, ≤ 1 s and 0 uploads)"
bench/deploy/run.sh
echo
echo "## cook, then the final build of each layout (goal: only local crates compile)"
echo "| layout | after cook, final build |"
echo "|---|---|"
go test ./internal/recipe -run 'TestCookContract' -count=1 -v 2>&1 | awk '
  /=== RUN +TestCookContract\// { layout = $3; sub(/^TestCookContract\//, "", layout) }
  /final build:/ && !seen[layout]++ { sub(/.*final build: /, ""); print "| " layout " | " $0 " |" }'
if [ -x bench/dockerfile/run.sh ]; then
  echo
  echo "## cargo berth dockerfile vs the hand-written Dockerfile (bench/dockerfile)"
  # 15 runs: one 2 s compile on this 2-core machine varies by ±20%, so even
  # the ratio of two 15-run medians moves by a few per cent (the A/A run
  # below shows how much); the edit row's time apart from cargo's compile
  # is the precise comparison.
  status=0
  bench/dockerfile/run.sh -runs 15 || status=$?
  echo
  echo "## workspace churn: two cook layers against the seed's one (bench/dockerfile -churn; goal: 0 third-party crates)"
  bench/dockerfile/run.sh -runs 5 -churn || status=$?
  echo
  echo "## its resolution: the hand-written Dockerfile against a copy of itself (A/A)"
  bench/dockerfile/run.sh -runs 15 -control
  exit "$status"
fi
