#!/usr/bin/env bash
# Packages and pushes a 500 MB ELF (a real binary grown with objcopy
# --add-section of rustc's own shared libraries, which compress like real
# Rust code) and prints ratios against the baselines, measured in one run:
#   packaging (cache off) vs single-threaded `gzip -6` of the same file
#     (goals: gzip <= 0.35x, zstd <= 0.1x);
#   peak memory of cargo-berth (goal: <= 64 MiB at any size);
#   push of the image to a local registry vs `crane push` of its layout
#     (goal: <= 1.2x).
# Needs cargo, objcopy, GNU time, distribution's registry and crane
# (go install github.com/google/go-containerregistry/cmd/crane@v0.22.1).
set -euo pipefail
cd "$(dirname "$0")/../.."
size_mb=${SIZE_MB:-500}
tmp=$(mktemp -d)
trap 'kill "${reg_pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/cargo-berth" ./cmd/cargo-berth
cp -r examples/hello-service "$tmp/app"
(cd "$tmp/app" && cargo build --release --quiet)
sysroot=$(rustc --print sysroot)
# Real machine code, no shorter repeat than 150 MB (far beyond any window).
find "$sysroot/lib" -name 'librustc_driver-*.so' -exec cat {} + > "$tmp/one"
while [ "$(stat -c %s "$tmp/one")" -lt $((size_mb << 20)) ]; do cat "$tmp/one" "$tmp/one" > "$tmp/two"; mv "$tmp/two" "$tmp/one"; done
head -c $((size_mb << 20)) "$tmp/one" > "$tmp/payload" && rm "$tmp/one"
objcopy --add-section .payload="$tmp/payload" --set-section-flags .payload=noload,readonly \
  "$tmp/app/target/release/hello-service" "$tmp/big"
rm "$tmp/payload"
cat "$tmp/big" > /dev/null # warm the page cache for every contender alike

timed() { # prints "seconds peak-KiB" of a command
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" > /dev/null 2>&1
  cat "$tmp/time"
}
read -r gz _ < <(timed sh -c "gzip -6 -c < '$tmp/big' > /dev/null")
echo "| $(stat -c %s "$tmp/big" | awk '{printf "%.0f MB", $1/1e6}') ELF | time | x gzip -6 | peak RSS | layers |"
echo "|---|---|---|---|---|"
echo "| gzip -6 (single-threaded) | ${gz}s | 1.00 | | |"
for comp in gzip zstd; do
  read -r s kb < <(BERTH_CACHE_DIR=off timed "$tmp/cargo-berth" berth build --binary "$tmp/big" --compression "$comp" --oci-layout "$tmp/layout-$comp")
  layers=$(du -sb "$tmp/layout-$comp/blobs" | awk '{printf "%.1f MB", $1/1e6}')
  echo "| cargo berth build --compression $comp | ${s}s | $(awk "BEGIN{printf \"%.2f\", $s/$gz}") | $((kb / 1024)) MiB | $layers |"
done

source bench/registry.sh
start_registry "$tmp"
# The same image on both sides, without its SBOM artifact (crane pushes a
# layout of one image). berth packages from its cache (filled here) and
# pushes: the push alone is what is compared, so the layers are already
# compressed, and the unchanged binary is not read again (its stamp).
export BERTH_CACHE_DIR="$tmp/cache"
"$tmp/cargo-berth" berth build --binary "$tmp/big" --sbom none --oci-layout "$tmp/push-layout" > /dev/null 2>&1
read -r crane_s _ < <(timed crane push --insecure "$tmp/push-layout" "127.0.0.1:$port/crane:1")
read -r berth_s _ < <(timed "$tmp/cargo-berth" berth build --binary "$tmp/big" --sbom none --push -t "127.0.0.1:$port/berth:1")
echo
echo "| push of the gzip image to a local registry | time | x crane push |"
echo "|---|---|---|"
echo "| crane push (OCI layout) | ${crane_s}s | 1.00 |"
echo "| cargo berth build --push (cache hit) | ${berth_s}s | $(awk "BEGIN{printf \"%.2f\", $berth_s/$crane_s}") |"
