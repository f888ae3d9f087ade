# berth's entry points. On a fresh machine:
#   make demo   build cargo-berth and package the bundled example into an image
#   make test   install the test components (Docker engine, registry, Debian's
#               Rust crates; needs root) and run every test, end to end included
.PHONY: all build demo test unit fuzz lint darwin ci image builder-image bench clean

GO        ?= go
BIN       := bin/cargo-berth
EXAMPLE   := examples/hello-service

all: build

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/cargo-berth

# The main job: the bundled std-only example service into an OCI image, no
# Docker daemon needed. The layout lands in examples/hello-service/target/berth.
demo: build
	$(BIN) build --manifest-path $(EXAMPLE)/Cargo.toml --tarball $(EXAMPLE)/target/hello-service.tar -t hello-service:latest
	@echo "load and run it: docker load -i $(EXAMPLE)/target/hello-service.tar && docker run --rm --network host -e ADDR=127.0.0.1:8080 hello-service:latest"

# Every test. End-to-end tests need cargo, a Docker engine and a registry;
# with BERTH_E2E=1 a missing one fails the run instead of skipping.
test:
	bash scripts/ci-setup.sh
	BERTH_E2E=1 $(GO) test -race -timeout 40m ./...
	$(MAKE) fuzz

# A short, bounded run of the recipe and workspace fuzzers (the seeds run in
# every `go test`): no panic, and no accepted recipe writes outside its
# directory. Bounded by a number of inputs, not a duration: with a duration,
# an input still running when the time is up fails the run with "context
# deadline exceeded" on a loaded machine (seen in CI). Run longer with
# FUZZ_RECIPE=2000000x FUZZ_WORKSPACE=50000x, or a duration such as 10m.
FUZZ_RECIPE ?= 100000x
FUZZ_WORKSPACE ?= 2000x
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzRecipe$$' -fuzztime=$(FUZZ_RECIPE) ./internal/recipe
	$(GO) test -run='^$$' -fuzz='^FuzzWorkspace$$' -fuzztime=$(FUZZ_WORKSPACE) ./internal/recipe

# Fast inner loop: tests whose components are missing skip with a message.
unit:
	$(GO) test -race ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@command -v staticcheck >/dev/null || { echo "staticcheck is missing: run scripts/ci-setup.sh"; exit 1; }
	staticcheck ./...
	$(GO) mod tidy -diff
	$(MAKE) darwin

# berth on macOS: the darwin builds and vet, both arches, so that a
# Linux-only call (a syscall, a Stat_t field, an ioctl) cannot come back
# unnoticed. Cross-compiled here; berth has not run on a Mac in this CI.
darwin:
	GOOS=darwin GOARCH=arm64 $(GO) build -o /dev/null ./cmd/cargo-berth
	GOOS=darwin GOARCH=amd64 $(GO) build -o /dev/null ./cmd/cargo-berth
	GOOS=darwin GOARCH=arm64 $(GO) vet ./...
	GOOS=darwin GOARCH=amd64 $(GO) vet ./...

ci: lint test

# berth's own image: the static cargo-berth in an otherwise empty image,
# packaged by itself (used as BERTH_IMAGE by generated Dockerfiles).
image:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags=-s -o bin/static/cargo-berth ./cmd/cargo-berth
	$(GO) run ./cmd/cargo-berth build --binary bin/static/cargo-berth --base scratch -t berth:latest --load

# Local stand-ins for the images the Dockerfile tests and benchmark use
# (nothing can be pulled): a Rust builder, a distroless-cc-like runtime and
# berth's own image from this tree. The first two are cached by content.
builder-image:
	bash scripts/builder-image.sh all

bench: build
	bash bench/run.sh

clean:
	rm -rf bin
