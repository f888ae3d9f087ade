#!/usr/bin/env bash
# release.sh makes a release of berth (run by `make release`):
#   - cargo-berth for each of $RELEASE_PLATFORMS (default linux/amd64 and
#     linux/arm64; darwin does not build: internal/progress and
#     internal/stamp use Linux-only calls), static, reporting $VERSION
#     (`cargo berth --version`), as dist/cargo-berth_<version>_<os>_<arch>.tar.gz
#     with dist/SHA256SUMS; archives are reproducible (sorted, mtime
#     SOURCE_DATE_EPOCH or 0, owner 0, gzip -n);
#   - berth's own image: one index of both platforms' binaries, packaged by
#     the berth just built (`build --binary PLATFORM=PATH ...`), with its
#     SBOM, pushed to $RELEASE_REPO:$VERSION (its --json report in
#     dist/image.json). RELEASE_PUSH=0 skips the push.
# Generated Dockerfiles of that berth name ghcr.io/berth-dev/berth:$VERSION.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO=${GO:-go}
VERSION=${VERSION:?set VERSION, e.g. VERSION=v1.2.3 (make release takes it from the git tag)}
RELEASE_REPO=${RELEASE_REPO:-ghcr.io/berth-dev/berth}
RELEASE_PLATFORMS=${RELEASE_PLATFORMS:-linux/amd64 linux/arm64}
DIST=${DIST:-dist}
EPOCH=${SOURCE_DATE_EPOCH:-0}

log() { printf 'release: %s\n' "$*" >&2; }

rm -rf "$DIST"
mkdir -p "$DIST"
ldflags="-s -w -X github.com/berth-dev/berth/internal/cli.version=$VERSION"
binaries=()
host=""
for platform in $RELEASE_PLATFORMS; do
	os=${platform%%/*} arch=${platform#*/}
	name="cargo-berth_${VERSION}_${os}_${arch}"
	log "building $name"
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$GO" build -trimpath -ldflags "$ldflags" -o "$DIST/$name/cargo-berth" ./cmd/cargo-berth
	cp README.md "$DIST/$name/"
	tar --sort=name --mtime="@$EPOCH" --owner=0 --group=0 --numeric-owner -C "$DIST" -cf - "$name" | gzip -n -9 >"$DIST/$name.tar.gz"
	binaries+=(--binary "$platform=$DIST/$name/cargo-berth")
	if [[ $os == linux && $arch == $("$GO" env GOHOSTARCH) ]]; then
		host="$DIST/$name/cargo-berth"
	fi
done
(cd "$DIST" && sha256sum -- *.tar.gz >SHA256SUMS)
log "$("$host" --version)"

if [[ ${RELEASE_PUSH:-1} == 1 ]]; then
	[[ -n $host ]] || { log "no linux/$("$GO" env GOHOSTARCH) binary among $RELEASE_PLATFORMS to package the image with"; exit 1; }
	log "pushing berth's image $RELEASE_REPO:$VERSION"
	SOURCE_DATE_EPOCH=$EPOCH "$host" build "${binaries[@]}" --base scratch -t "$RELEASE_REPO:$VERSION" --push --json >"$DIST/image.json"
fi
log "done: $(cd "$DIST" && echo *.tar.gz SHA256SUMS)"
