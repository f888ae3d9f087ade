#!/usr/bin/env bash
# builder-image.sh builds, into the local Docker engine, the images berth's
# Dockerfile tests and benchmark need but cannot pull:
#   rust     berth-test/rust:bookworm: a Debian bookworm rootfs (debootstrap,
#            minbase + gcc, libc6-dev, pkg-config, libssl-dev, ca-certificates)
#            with the host's active Rust toolchain on PATH and Debian's packaged
#            crates as the only, offline, cargo source (CARGO_HOME config);
#   runtime  berth-test/distroless-cc:nonroot: a stand-in for
#            gcr.io/distroless/cc-debian12:nonroot made of the same packages'
#            files (libc6, libgcc-s1, libgomp1, libstdc++6, libssl3,
#            ca-certificates, tzdata, netbase, base-files) and user 65532;
#   berth    berth-test/berth:dev: the static cargo-berth of this working tree
#            in a scratch image, packaged by itself;
#   rust-cross  berth-test/rust-cross:bookworm: the rust image plus Debian's
#            own Rust (rustc/cargo 1.63 at /usr/bin, named by CARGO and RUSTC)
#            with the arm64 std, gcc-aarch64-linux-gnu and libc6:arm64, for
#            Dockerfiles written with --platform (not part of "all"; apt runs
#            in a container on the host network, from the rust image's mirror).
# Usage: scripts/builder-image.sh [rust|runtime|berth|rust-cross|all]...   (default: all)
#
# rust and runtime are cached by content: each image carries the hash of its
# inputs (this script, the toolchain, the crate list, the mirror) in the
# BERTH_TEST_INPUTS environment variable and is rebuilt only when it changes.
# The Debian mirror is $BERTH_DEBIAN_MIRROR, else the first .../debian URI of
# this machine's apt sources. Nothing else touches the network. Progress goes
# to stderr; needs root (debootstrap) and a running Docker engine.
set -euo pipefail

RUST_TAG=${BERTH_RUST_IMAGE:-berth-test/rust:bookworm}
CROSS_TAG=${BERTH_RUST_CROSS_IMAGE:-berth-test/rust-cross:bookworm}
CROSS_PACKAGES="rustc cargo libstd-rust-dev:arm64 gcc-aarch64-linux-gnu libc6-dev-arm64-cross libc6:arm64 libgcc-s1:arm64"
RUNTIME_TAG=${BERTH_RUNTIME_IMAGE:-berth-test/distroless-cc:nonroot}
BERTH_TAG=${BERTH_BERTH_IMAGE:-berth-test/berth:dev}
CRATES=/usr/share/cargo/registry
SUITE=bookworm
INCLUDE=gcc,libc6-dev,pkg-config,libssl-dev,ca-certificates,tzdata,netbase,libgomp1
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf 'builder-image: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# mirror prints the Debian archive URI apt uses on this machine.
mirror() {
	if [[ -n ${BERTH_DEBIAN_MIRROR:-} ]]; then
		echo "$BERTH_DEBIAN_MIRROR"
		return
	fi
	local uri
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '/^[[:space:]]*#/ {next}
			$1 == "URIs:" {for (i = 2; i <= NF; i++) print $i}
			$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}' |
		grep -E '/debian/?$' | head -n1) || true
	[[ -n $uri ]] || die "no Debian archive URI in /etc/apt sources; set BERTH_DEBIAN_MIRROR"
	echo "$uri"
}

# drop_old removes an image the new one replaced, once nothing names it.
drop_old() {
	if [[ -n $1 && $1 != $(docker image inspect --format '{{.Id}}' "$2" 2>/dev/null) ]]; then
		docker rmi "$1" >/dev/null 2>&1 || true
	fi
}

# inputs_of prints the hash recorded in an image, or nothing.
inputs_of() {
	docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$1" 2>/dev/null |
		sed -n 's/^BERTH_TEST_INPUTS=//p'
}

rust_inputs() {
	{
		declare -f build_rust write_cargo_home
		rustc -vV
		ls "$CRATES"
		echo "$SUITE $INCLUDE $1"
	} | sha256sum | cut -c1-16
}

# write_cargo_home makes CARGO_HOME's config: crates-io replaced by Debian's
# crate directory, and no network.
write_cargo_home() {
	mkdir -p "$1"
	cat >"$1/config.toml" <<EOF
[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "$CRATES"

[net]
offline = true
EOF
}

# Each builder runs in a subshell so that its EXIT trap cleans up its own
# temporary directory.
build_rust() (
	local uri hash sysroot root
	uri=$(mirror)
	hash=$(rust_inputs "$uri")
	if [[ $(inputs_of "$RUST_TAG") == "$hash" ]]; then
		log "$RUST_TAG is up to date ($hash)"
		return
	fi
	local old
	old=$(docker image inspect --format '{{.Id}}' "$RUST_TAG" 2>/dev/null) || true
	sysroot=$(rustc --print sysroot)
	root=$(mktemp -d /tmp/berth-rootfs.XXXXXX)
	trap 'rm -rf "$root"' EXIT
	log "debootstrap $SUITE from $uri into $root (a few minutes)"
	debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$root" "$uri" >"$root.log" 2>&1 ||
		{ tail -n 30 "$root.log" >&2; die "debootstrap failed (log: $root.log)"; }
	rm -f "$root.log"
	# apt caches and docs are of no use to a builder.
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc "$root"/usr/share/man
	log "copying the Rust toolchain $sysroot (without docs)"
	mkdir -p "$root/usr/local/rust"
	for d in bin lib libexec etc; do
		[[ -e $sysroot/$d ]] && cp -a "$sysroot/$d" "$root/usr/local/rust/"
	done
	log "copying Debian's crates from $CRATES"
	mkdir -p "$root$CRATES"
	cp -aL "$CRATES/." "$root$CRATES/"
	write_cargo_home "$root/usr/local/cargo"
	mkdir -p "$root/usr/local/cargo/bin"
	log "importing $RUST_TAG"
	tar -C "$root" -c . | docker import \
		--change 'ENV PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'ENV CARGO_HOME=/usr/local/cargo' \
		--change "ENV BERTH_TEST_INPUTS=$hash" \
		--change 'CMD ["bash"]' \
		- "$RUST_TAG" >/dev/null
	drop_old "$old" "$RUST_TAG"
	log "built $RUST_TAG ($hash)"
)

# The runtime stand-in is cut out of the rust image: the files dpkg lists for
# distroless cc's packages, minus docs, plus passwd/group with nonroot.
RUNTIME_DOCKERFILE='ARG SRC
FROM ${SRC} AS src
RUN set -e; mkdir -p /out/tmp /out/home/nonroot /out/etc; chmod 1777 /out/tmp; \
    for l in /bin /sbin /lib /lib64; do if [ -L $l ]; then cp -a $l /out/; fi; done; \
    for p in base-files netbase tzdata ca-certificates libc6 libgcc-s1 libgomp1 libstdc++6 libssl3; do dpkg -L $p; done | sort -u | \
    grep -v -e "^/usr/share/doc" -e "^/usr/share/man" -e "^/usr/share/lintian" -e "^/usr/share/info" -e "^/usr/share/locale" -e "^/usr/share/common-licenses" | \
    while read -r f; do if [ -f "$f" ] || [ -L "$f" ]; then d=$(readlink -f "$(dirname "$f")"); mkdir -p "/out$d"; cp -a "$f" "/out$d/"; fi; done; \
    mkdir -p /out/etc/ssl/certs; cp -a /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/; \
    printf "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n" >/out/etc/passwd; \
    printf "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n" >/out/etc/group; \
    chown 65532:65532 /out/home/nonroot
FROM scratch
COPY --from=src /out/ /
ARG INPUTS
ENV BERTH_TEST_INPUTS=${INPUTS}
USER 65532:65532
WORKDIR /home/nonroot'

build_runtime() (
	local hash
	hash=$( { inputs_of "$RUST_TAG"; declare -f build_runtime; echo "$RUNTIME_DOCKERFILE"; } | sha256sum | cut -c1-16)
	if [[ $(inputs_of "$RUNTIME_TAG") == "$hash" ]]; then
		log "$RUNTIME_TAG is up to date ($hash)"
		return
	fi
	local dir
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
	printf '%s\n' "$RUNTIME_DOCKERFILE" >"$dir/Dockerfile"
	local old
	old=$(docker image inspect --format '{{.Id}}' "$RUNTIME_TAG" 2>/dev/null) || true
	log "building $RUNTIME_TAG from $RUST_TAG"
	DOCKER_BUILDKIT=0 docker build --network none --build-arg SRC="$RUST_TAG" \
		--build-arg INPUTS="$hash" -t "$RUNTIME_TAG" "$dir" >"$dir/log" 2>&1 ||
		{ tail -n 20 "$dir/log" >&2; die "building $RUNTIME_TAG failed"; }
	drop_old "$old" "$RUNTIME_TAG"
	log "built $RUNTIME_TAG ($hash, $(docker image inspect --format '{{.Size}}' "$RUNTIME_TAG") bytes)"
)

# berth's image is rebuilt every time: it is seconds, and it must match the
# working tree.
build_berth() (
	local out
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
	local old
	old=$(docker image inspect --format '{{.Id}}' "$BERTH_TAG" 2>/dev/null) || true
	(cd "$REPO" && CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$out/cargo-berth" ./cmd/cargo-berth)
	"$out/cargo-berth" build --binary "$out/cargo-berth" --base scratch -t "$BERTH_TAG" --load >/dev/null
	drop_old "$old" "$BERTH_TAG"
	log "built $BERTH_TAG"
)

# build_rust_cross adds Debian's cross toolchain to the rust image, in a
# container (dpkg and apt need a root filesystem of their own), committed
# as the cross image; it is rebuilt when the rust image or the package list
# changes.
build_rust_cross() (
	local inputs
	inputs=$({
		declare -f build_rust_cross
		docker image inspect --format '{{.Id}}' "$RUST_TAG"
		echo "$CROSS_PACKAGES"
	} | sha256sum | cut -c1-16)
	if [[ $(inputs_of "$CROSS_TAG") == "$inputs" ]]; then
		log "$CROSS_TAG is current"
		return
	fi
	local name="berth-cross-$$"
	trap 'docker rm -f "$name" >/dev/null 2>&1 || true' EXIT
	log "installing $CROSS_PACKAGES into $CROSS_TAG"
	docker run --network host --name "$name" "$RUST_TAG" sh -c "dpkg --add-architecture arm64 && apt-get -q update &&
		DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends install $CROSS_PACKAGES &&
		apt-get clean && rm -rf /var/lib/apt/lists/*" >&2
	local old
	old=$(docker image inspect --format '{{.Id}}' "$CROSS_TAG" 2>/dev/null) || true
	docker commit --change 'ENV CARGO=/usr/bin/cargo' --change 'ENV RUSTC=/usr/bin/rustc' \
		--change "ENV BERTH_TEST_INPUTS=$inputs" "$name" "$CROSS_TAG" >/dev/null
	drop_old "$old" "$CROSS_TAG"
	log "built $CROSS_TAG"
)

main() {
	command -v docker >/dev/null || die "no docker CLI on PATH"
	[[ $# -gt 0 ]] || set -- all
	local what
	for what in "$@"; do
		case $what in
		rust) build_rust ;;
		runtime)
			build_rust
			build_runtime
			;;
		berth) build_berth ;;
		rust-cross)
			build_rust
			build_rust_cross
			;;
		all)
			build_rust
			build_runtime
			build_berth
			;;
		*) die "unknown image $what; want rust, runtime, berth, rust-cross or all" ;;
		esac
	done
}

main "$@"
