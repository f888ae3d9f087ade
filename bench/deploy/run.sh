#!/usr/bin/env bash
# bench/deploy: the goals of resolve and index (issue 19), against a local
# registry (distribution, on 127.0.0.1):
#   - `cargo berth resolve` of a YAML naming 3 binaries vs building and
#     pushing them one by one (goal ≤ 1.1x); every binary's source is
#     touched before each run, so both sides compile the 3 binaries;
#   - `cargo berth index` of two pushed platform images (goal ≤ 1 s, 0
#     blobs uploaded); the images are Go programs for amd64 and arm64,
#     packaged with --binary, so no cross toolchain is needed.
# Needs cargo (Debian's crates as ci-setup.sh installs them), Go and the
# registry binary. RUNS (default 9) runs per side, medians reported.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-9}
tmp=$(mktemp -d)
trap 'kill "${reg_pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/cargo-berth" ./cmd/cargo-berth
export CARGO_HOME="$tmp/cargo-home" BERTH_CACHE_DIR="$tmp/cache" RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
mkdir -p "$CARGO_HOME"
printf '[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n[net]\noffline = true\n' > "$CARGO_HOME/config.toml"

source bench/registry.sh
start_registry "$tmp"
reg=127.0.0.1:$port

# Three binaries: the two-bins fixture and a third, gamma.
proj="$tmp/three"
cp -r e2e/testdata/fixtures/two-bins "$proj"
sed -i 's/^\[dependencies\]/[[bin]]\nname = "gamma"\npath = "src\/bin\/gamma.rs"\n\n[dependencies]/' "$proj/Cargo.toml"
printf 'fn main() {\n    println!("gamma");\n}\n' > "$proj/src/bin/gamma.rs"
printf 'a: berth://alpha\nb: berth://beta\nc: berth://gamma\n' > "$tmp/deploy.yaml"
berth() { "$tmp/cargo-berth" berth "$@" --manifest-path "$proj/Cargo.toml"; }
touch_all() { touch "$proj"/src/bin/*.rs; }
# secs CMD: "WALL CPU" in seconds, CPU being user + sys of CMD and all it
# started (cargo, rustc). On a shared machine the CPU time is the steadier
# figure: both sides do the same compiles, and waiting for a core counts in
# the wall time only.
secs() {
	local TIMEFORMAT='%R %U %S' t
	t=$({ time "$@" > /dev/null 2>&1; } 2>&1) || return
	awk -v t="$t" 'BEGIN{split(t, a, " "); printf "%.3f %.3f\n", a[1], a[2] + a[3]}'
}
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
one_by_one() { for b in alpha beta gamma; do berth build --bin "$b" --push -t "$reg/single/$b:latest" || return; done; }

touch_all; one_by_one > /dev/null 2>&1 # warm cargo's and berth's caches
singles=() resolves=() singles_cpu=() resolves_cpu=()
resolve() { berth resolve -f "$tmp/deploy.yaml" --repo "$reg/resolve"; }
# The two sides take turns going first: on a loaded machine, the order
# alone moves a run by more than the goal's 10%.
for i in $(seq "$RUNS"); do
	if ((i % 2)); then
		touch_all; read -r w c < <(secs one_by_one); singles+=("$w") singles_cpu+=("$c")
		touch_all; read -r w c < <(secs resolve); resolves+=("$w") resolves_cpu+=("$c")
	else
		touch_all; read -r w c < <(secs resolve); resolves+=("$w") resolves_cpu+=("$c")
		touch_all; read -r w c < <(secs one_by_one); singles+=("$w") singles_cpu+=("$c")
	fi
done
s=$(printf '%s\n' "${singles[@]}" | median) r=$(printf '%s\n' "${resolves[@]}" | median)
sc=$(printf '%s\n' "${singles_cpu[@]}" | median) rc=$(printf '%s\n' "${resolves_cpu[@]}" | median)
echo "| 3 binaries, each source touched | wall, median of $RUNS | x one by one | CPU, median | x one by one | goal |"
echo "|---|---|---|---|---|---|"
echo "| build --push, one by one | ${s}s | 1.00 | ${sc}s | 1.00 | |"
echo "| resolve -f (3 references) | ${r}s | $(awk "BEGIN{printf \"%.2f\", $r/$s}") | ${rc}s | $(awk "BEGIN{printf \"%.2f\", $rc/$sc}") | ≤ 1.10 |"

# index: two single-platform images pushed by digest, then merged.
printf 'package main\n\nfunc main() { println("hi") }\n' > "$tmp/main.go"
digests=()
for arch in amd64 arm64; do
	CGO_ENABLED=0 GOOS=linux GOARCH=$arch GO111MODULE=off go build -o "$tmp/$arch/app" "$tmp/main.go"
	out=$("$tmp/cargo-berth" berth build --binary "linux/$arch=$tmp/$arch/app" --base scratch --push -t "$reg/idx:run-$arch" 2>/dev/null)
	digests+=("$reg/idx@${out##*@}")
done
times=() uploaded=()
for _ in $(seq "$RUNS"); do
	s=$EPOCHREALTIME
	"$tmp/cargo-berth" berth index -t "$reg/idx:1" "${digests[@]}" > "$tmp/index.out" 2> "$tmp/index.err"
	times+=("$(awk "BEGIN{printf \"%.3f\", $EPOCHREALTIME - $s}")")
	uploaded+=("$(sed -n 's/.*: \([0-9]*\) blobs uploaded.*/\1/p' "$tmp/index.err")")
done
echo
echo "| index of two pushed platform images | median of $RUNS | blobs uploaded | goal |"
echo "|---|---|---|---|"
echo "| cargo berth index | $(printf '%s\n' "${times[@]}" | median)s | $(printf '%s\n' "${uploaded[@]}" | sort -un | tr '\n' ' ')| ≤ 1 s, 0 uploaded |"
