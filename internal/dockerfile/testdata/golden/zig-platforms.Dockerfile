# Dockerfile for the api binary of the api package, written by
# `cargo berth dockerfile`. It is yours now: edit it freely, or regenerate it
# with `cargo berth dockerfile --force`.
#
# Build it with BuildKit, for every platform at once, with no emulation for
# the compiler (the builder runs on the build machine's platform and
# cross-compiles for each target platform):
#   docker buildx build --platform linux/amd64,linux/arm64 -t api .
# RUST_IMAGE must be able to cross-compile for each target: its Rust std
# (`rustup target add aarch64-unknown-linux-gnu`, or Debian's
# libstd-rust-dev:arm64), a linker (zig, below) and the target's C library
# (libc6:arm64, or libc6-dev-arm64-cross), which the runtime files come from.
#
# How rebuilds stay fast: the planner stage reduces the project to a recipe of
# what this binary needs (manifests with local versions and publishing fields
# masked, Cargo.lock, cargo config, stub targets) and to the recipe of its
# third-party dependencies alone; the builder stage builds those first, in a
# layer that stays cached until a third-party crate changes, then the rest of
# the recipe, then your crates on top.

# The Rust image to build with; the default follows the rust-toolchain channel 1.82.
ARG RUST_IMAGE=rust:1.82-bookworm
# berth's image: an otherwise empty image with /usr/local/bin/cargo-berth.
ARG BERTH_IMAGE=ghcr.io/berth-dev/berth:v0.1.0

# COPY --from does not expand build arguments; a stage named after one can.
FROM --platform=$BUILDPLATFORM ${BERTH_IMAGE} AS berth

# The planner needs berth alone (prepare runs no cargo), so it starts from
# berth's own image, the quickest container to start; the command is in exec
# form because that image has no shell.
FROM --platform=$BUILDPLATFORM ${BERTH_IMAGE} AS planner
# berth's image runs as nonroot; the recipe goes to /berth, made here.
USER 0:0
WORKDIR /app
# Runs on every change of the context but writes the same recipe unless the
# dependencies changed, which keeps the builder's cook step cached. The
# context is bind-mounted: no layer is made of it here.
RUN --mount=type=bind,target=/app ["/usr/local/bin/cargo-berth","prepare","--recipe-path","/berth/recipe.json","--deps-recipe-path","/berth/deps.json","-p","api","--bin","api"]

FROM --platform=$BUILDPLATFORM ${RUST_IMAGE} AS builder
# The platform being built, set by BuildKit (linux/arm64, ...): cook and
# stage cross-compile for it.
ARG TARGETPLATFORM
COPY --from=berth /usr/local/bin/cargo-berth /usr/local/bin/cargo-berth
WORKDIR /app
# zig links: cook and stage pass --zig (berth's own `zig cc` wrapper, the same
# paths in both steps, so cook's dependencies stay fresh for stage). RUST_IMAGE
# must have zig 0.11.0 or newer on PATH (or BERTH_ZIG_PATH set); the official
# rust images have none.
COPY --from=planner /berth/deps.json /berth/deps.json
# First layer: the third-party dependencies alone (registry and git crates),
# with exactly the flags of the build below. Their recipe holds no crate of
# yours, so a version bump, a new path dependency between your crates or a
# description edit leaves this layer cached.
# The cache mounts keep cargo's downloads between builds. Their paths are
# CARGO_HOME of the official rust images, written out (--mount expands build
# arguments, not the image's variables): change them if your RUST_IMAGE
# moves CARGO_HOME.
# This layer is the cache a CI cache export (--cache-to) carries; when a
# third-party crate changes it runs again, from an empty target directory.
# The target cache (one per binary, profile and platform; locked: one build
# at a time) seeds it: cook copies in the third-party crates the last cook
# compiled, so only the crates a change brings compile, then keeps this
# cook's. It lives in the BuildKit that builds, not in the image or an
# exported cache.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,id=berth-target-api-api-release-$TARGETPLATFORM,target=/berth/target-cache,sharing=locked \
    cargo-berth cook --recipe-path /berth/deps.json --release --locked -p api --bin api --platform "$TARGETPLATFORM" --zig --target-cache /berth/target-cache
# Second layer: your crates' manifests and the path dependencies between
# them (stubs, removed after), on top of the first.
COPY --from=planner /berth/recipe.json /berth/recipe.json
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    cargo-berth cook --recipe-path /berth/recipe.json --release --locked -p api --bin api --platform "$TARGETPLATFORM" --zig
# Your sources: from here on only the project's own crates compile.
COPY . .
# Build, and stage the binary (in /berth/app) with exactly the files it needs
# at run time (in /berth/rootfs: its shared libraries from this very system,
# CA certificates, passwd/group with user 65532, /tmp). `cargo berth stage`
# runs `cargo build` with these flags, the same as cook's, and takes the
# binary from cargo's own report of what it built; it warns when the project
# no longer matches the recipe cook used. The staged binary carries its crate
# list in a .dep-v0 section (as `cargo auditable` writes it) for scanners.
# The image's SPDX SBOM goes to /berth/sbom.spdx.json.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    cargo-berth stage --recipe-path /berth/recipe.json --out /berth/rootfs --app-out /berth/app --sbom-out /berth/sbom.spdx.json --locked -p api --bin api --platform "$TARGETPLATFORM" --zig

# The SBOM alone, to export it: docker buildx build --target sbom --output type=local,dest=. .
FROM scratch AS sbom
COPY --from=builder /berth/sbom.spdx.json /

# Nothing but what the binary needs, in two layers: the runtime files, which
# stay the same (and cached, and already pushed) from build to build, then the
# binary.
FROM scratch AS runtime
COPY --from=builder /berth/rootfs/ /
COPY --from=builder /berth/app/ /
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/api"]
