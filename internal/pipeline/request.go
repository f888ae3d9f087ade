package pipeline

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/config"
)

// CargoFlags are cargo's flags, spelled once for every command (build,
// stage, cook, dockerfile): cargo.Flags under the name callers above the
// pipeline use.
type CargoFlags = cargo.Flags

// Request is what one build or stage asks for, in the user's words: the
// settings the flags gave (the highest configuration layer) and what only
// flags can say. Prepare resolves it against Cargo.toml and BERTH_*.
type Request struct {
	// Settings are the settings given as flags (bin, profile, static, base,
	// tags, platforms, ...); Cargo.toml and the environment fill the rest.
	Settings config.Layer
	// Cargo are cargo's own flags: manifest path, packages, features,
	// targets, lockfile flags. Profile, Bins, Static and Zig come from
	// Settings, which name their sources.
	Cargo CargoFlags
	// Binary packages this prebuilt ELF file instead of running cargo.
	Binary string
	// Binaries package one prebuilt ELF file per platform into an index
	// instead of running cargo (the platforms are theirs, in order); a
	// request gives Binary or Binaries, not both.
	Binaries []PlatformBinary
	// Sysroot is where shared libraries and system files come from
	// instead of /; RuntimeFrom an image to take them from (--runtime-from;
	// "" leaves it to the runtime-from setting).
	Sysroot, RuntimeFrom string
	// HostOS and HostArch are the build machine's, in GOOS and GOARCH
	// names; "" means this process's. A host that is not Linux gets the
	// host-OS policy (hostos.go).
	HostOS, HostArch string
	// LibraryPaths are searched like LD_LIBRARY_PATH, and set as it.
	LibraryPaths []string
	// LoadPlatform is the platform of several the daemon and a tarball
	// take ("" means the host's, else the first).
	LoadPlatform string
	// SBOMOut also writes the SBOM to this file.
	SBOMOut string
	// ProvenanceOut also writes the provenance statement (the index's
	// with several platforms) to this file.
	ProvenanceOut string
	// Version is berth's, recorded in the provenance.
	Version string
	// DebugInfoOut, with split-debuginfo, writes each debug file under
	// this directory at .build-id/xx/yyyy.debug.
	DebugInfoOut string
	// Push is set when the image goes to a registry: the tags must name it.
	Push bool
	// Stage is set for `stage`, which writes a directory for a Dockerfile:
	// one platform, and no base image.
	Stage bool
	// Log gets cargo's output, notes and warnings; nil discards them.
	Log io.Writer
	// Env is the environment cargo and the settings see; nil means the
	// process's.
	Env []string
}

// InputError is a request that cannot be built as it is: a bad setting, a
// missing file, a conflict. Nothing was built or written; the message says
// which value, from where, and what to do. The command line exits 2.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// inputf makes an InputError.
func inputf(format string, args ...any) error {
	return &InputError{fmt.Errorf(format, args...)}
}

// IsInput reports whether err is (or wraps) an InputError.
func IsInput(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// PlatformBinary is one platform's prebuilt binary.
type PlatformBinary struct {
	Platform string // linux/amd64, linux/arm64, ...
	Path     string
}

// prebuilt reports whether the request packages prebuilt binaries.
func (r Request) prebuilt() bool { return r.Binary != "" || len(r.Binaries) > 0 }

// binaryName is the name of the prebuilt binary (the first's, of several).
func (r Request) binaryName() string {
	if len(r.Binaries) > 0 {
		return filepath.Base(r.Binaries[0].Path)
	}
	return filepath.Base(r.Binary)
}
