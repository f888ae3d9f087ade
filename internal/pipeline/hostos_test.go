package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
)

// TestForeignHost is the host-OS policy on a macOS host, branch by branch:
// where the runtime files come from, the default platform, an explicit
// platform or target, and zig switched off.
func TestForeignHost(t *testing.T) {
	off := false
	tests := []struct {
		name         string
		facts        hostFacts
		wantPlatform string
		wantNote     []string
		wantErr      []string
	}{
		{"runtime-from, arm64 default", hostFacts{arch: "arm64", runtimeFrom: "debian:12", runtimeFromSrc: "--runtime-from"}, "linux/arm64",
			[]string{"darwin host: building linux/arm64 (the host's architecture), linked by zig", "runtime files from the image debian:12 (from --runtime-from)"}, nil},
		{"runtime-from from Cargo.toml, amd64 default", hostFacts{arch: "amd64", runtimeFrom: "registry.example.com/rt:1", runtimeFromSrc: "Cargo.toml [workspace.metadata.berth]"}, "linux/amd64",
			[]string{"linux/amd64 (the host's architecture)", "from Cargo.toml [workspace.metadata.berth]"}, nil},
		{"static", hostFacts{arch: "arm64", static: true}, "linux/arm64", []string{"linked statically (musl)"}, nil},
		{"sysroot", hostFacts{arch: "arm64", sysroot: "/opt/linux-root"}, "linux/arm64", []string{"runtime files from --sysroot /opt/linux-root"}, nil},
		{"base image", hostFacts{arch: "arm64", base: "debian:12-slim", baseFrom: "flag"}, "linux/arm64", []string{"the base image debian:12-slim (from flag) brings the C library"}, nil},
		{"explicit platforms", hostFacts{arch: "arm64", platforms: []string{"linux/amd64", "linux/arm64"}, static: true}, "",
			[]string{"building linux/amd64, linux/arm64, linked by zig"}, nil},
		{"explicit Linux target", hostFacts{arch: "arm64", target: "x86_64-unknown-linux-gnu.2.17", runtimeFrom: "debian:12", runtimeFromSrc: "--runtime-from"}, "",
			[]string{"building target x86_64-unknown-linux-gnu.2.17"}, nil},
		{"none", hostFacts{arch: "arm64", base: BaseAuto}, "", nil,
			[]string{"on a darwin host", "cannot come from this machine", "--runtime-from IMAGE", "runtime-from = ", "rustup target add aarch64-unknown-linux-musl", "--base IMAGE", "nothing was built"}},
		{"scratch is not a source", hostFacts{arch: "amd64", base: BaseScratch}, "", nil, []string{"--static (with the musl std: `rustup target add x86_64-unknown-linux-musl`)"}},
		{"a macOS target", hostFacts{arch: "arm64", target: "aarch64-apple-darwin", static: true}, "", nil,
			[]string{"--target aarch64-apple-darwin on a darwin host", "aarch64-unknown-linux-gnu", "--platform linux/arm64"}},
		{"no Linux platform for the architecture", hostFacts{arch: "mips64", static: true}, "", nil, []string{"no Linux platform linux/mips64", "give --platform"}},
		{"zig off", hostFacts{arch: "arm64", static: true, zig: &off, zigFrom: "BERTH_ZIG"}, "", nil, []string{"zig is off (from BERTH_ZIG)", "berth turns zig on here"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.facts.os = "darwin"
			got, err := foreignHost(tt.facts)
			if tt.wantErr != nil {
				checkUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.platform != tt.wantPlatform {
				t.Errorf("platform = %q, want %q", got.platform, tt.wantPlatform)
			}
			for _, w := range tt.wantNote {
				if !strings.Contains(got.note, w) {
					t.Errorf("note %q does not say %q", got.note, w)
				}
			}
		})
	}
}

// TestHostPolicyPrepare runs Prepare with the host injected: a darwin host
// gets a Linux platform, zig and a runtime-file source, or stops before
// cargo; a Linux host (named, or this one) plans exactly as before.
func TestHostPolicyPrepare(t *testing.T) {
	tests := []struct {
		name          string
		os, arch      string
		meta          string
		zig           bool // a zig on PATH
		req           func(r *Request)
		wantPlatforms string
		wantZig       bool
		wantLog       string
		wantErr       []string
	}{
		{"darwin, runtime-from flag", "darwin", "amd64", "", true, func(r *Request) { r.RuntimeFrom = "oci:rt" }, "[linux/amd64]", true,
			"darwin host: building linux/amd64 (the host's architecture), linked by zig; runtime files from the image oci:rt (from --runtime-from)", nil},
		{"darwin, runtime-from in Cargo.toml", "darwin", "amd64", `runtime-from = "registry.example.com/rt:1"`, true, nil, "[linux/amd64]", true,
			"runtime files from the image registry.example.com/rt:1 (from ", nil},
		{"darwin, explicit platform", "darwin", "arm64", "", true, func(r *Request) {
			r.RuntimeFrom = "oci:rt"
			r.Settings.Values.Platforms = []string{"linux/amd64"}
		}, "[linux/amd64]", true, "building linux/amd64, linked by zig", nil},
		{"darwin, no runtime files", "darwin", "arm64", "", true, nil, "", false, "", []string{"cannot come from this machine", "--runtime-from IMAGE"}},
		{"darwin, zig missing", "darwin", "arm64", "", false, func(r *Request) { r.RuntimeFrom = "oci:rt" }, "", false, "",
			[]string{"zig is on (from the darwin host)", "zig is not installed", "nothing was built"}},
		{"darwin, zig = false", "darwin", "arm64", "zig = false", true, func(r *Request) { r.RuntimeFrom = "oci:rt" }, "", false, "",
			[]string{"zig is off (from ", "Cargo.toml [package.metadata.berth])"}},
		{"linux, as before", "linux", "arm64", "", false, nil, "[]", false, "", nil},
		{"this host, as before", "", "", "", false, nil, "[]", false, "", nil},
		{"linux ignores a missing zig and runtime-from", "linux", "amd64", `runtime-from = "oci:rt"`, false, nil, "[]", false, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeZigFirst(t, tt.zig)
			manifest := project(t, tt.meta)
			var log bytes.Buffer
			req := Request{Settings: config.Layer{Name: "flag"}, Cargo: CargoFlags{ManifestPath: manifest}, HostOS: tt.os, HostArch: tt.arch, Log: &log,
				Env: []string{"PATH=" + os.Getenv("PATH"), "BERTH_CACHE_DIR=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir()}}
			if tt.req != nil {
				tt.req(&req)
			}
			p, err := Prepare(context.Background(), req)
			if tt.wantErr != nil {
				checkUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkHostPlan(t, p, log.String(), tt.wantPlatforms, tt.wantZig, tt.wantLog)
		})
	}
}

// checkHostPlan: the plan's platforms (as "[a b]") and zig are as wanted,
// and stderr says wantLog, or nothing at all when wantLog is "".
func checkHostPlan(t *testing.T, p *Plan, log, wantPlatforms string, wantZig bool, wantLog string) {
	t.Helper()
	if got := fmtPlatforms(p); got != wantPlatforms {
		t.Errorf("platforms = %s, want %s", got, wantPlatforms)
	}
	if p.zig != wantZig {
		t.Errorf("zig = %v, want %v", p.zig, wantZig)
	}
	if wantLog == "" && (log != "" || p.hostNote != "") {
		t.Errorf("a Linux host said %q (note %q), want nothing", log, p.hostNote)
	}
	if !strings.Contains(log, wantLog) {
		t.Errorf("stderr %q does not say %q", log, wantLog)
	}
}

// fmtPlatforms is the plan's platforms as "[a b]".
func fmtPlatforms(p *Plan) string {
	var names []string
	for _, pl := range p.Platforms() {
		names = append(names, pl.String())
	}
	return "[" + strings.Join(names, " ") + "]"
}

// fakeZigFirst puts, with zig, an executable zig that answers `zig version`
// first on PATH (cargo and rustc stay reachable); without, PATH keeps cargo
// and rustc but no zig, and BERTH_ZIG_PATH is unset.
func fakeZigFirst(t *testing.T, zig bool) {
	t.Helper()
	t.Setenv("BERTH_ZIG_PATH", "")
	bin := t.TempDir()
	var keep []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, "zig")); err != nil {
			keep = append(keep, d)
		}
	}
	if zig {
		if err := os.WriteFile(filepath.Join(bin, "zig"), []byte("#!/bin/sh\necho 0.11.0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		keep = append([]string{bin}, keep...)
	}
	t.Setenv("PATH", strings.Join(keep, string(os.PathListSeparator)))
}
