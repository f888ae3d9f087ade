package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
)

// goBinaries builds a static program for each GOARCH: real ELF files of
// two machines, with no cross toolchain needed.
func goBinaries(t *testing.T, arches ...string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"hi\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, arch := range arches {
		bin := filepath.Join(dir, arch, "app")
		cmd := exec.Command("go", "build", "-o", bin, src)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GO111MODULE=off")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("cannot build a Go program for %s: %v\n%s", arch, err, msg)
		}
		out[arch] = bin
	}
	return out
}

// TestBinaryPerPlatform: --binary PLATFORM=PATH per platform makes one
// index, its platforms the binaries', the same digest every time; each
// binary's machine is checked against its platform before anything is
// packaged.
func TestBinaryPerPlatform(t *testing.T) {
	bins := goBinaries(t, "amd64", "arm64")
	scratch := BaseScratch
	settings := config.Layer{Name: "flag", Values: config.Build{Base: &scratch}}
	req := Request{Settings: settings, Binaries: []PlatformBinary{{"linux/amd64", bins["amd64"]}, {"linux/arm64", bins["arm64"]}}}
	var digests []string
	for i := 0; i < 2; i++ {
		plan, err := Prepare(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		art, err := plan.Build(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if art.Index == nil || len(art.Images) != 2 || art.Images[0].Platform.String() != "linux/amd64" || art.Images[1].Platform.String() != "linux/arm64" {
			t.Fatalf("artifact = %+v, want an index of linux/amd64 then linux/arm64", art.Images)
		}
		d, _ := art.Digest()
		digests = append(digests, d.String())
	}
	if digests[0] != digests[1] {
		t.Errorf("two builds gave %v", digests)
	}
	platforms := []string{"linux/amd64"}
	for _, tc := range []struct {
		name string
		req  Request
		want string
	}{
		{"swapped", Request{Settings: settings, Binaries: []PlatformBinary{{"linux/amd64", bins["arm64"]}}}, "is a binary for linux/arm64, but platform linux/amd64 was asked for"},
		{"twice", Request{Settings: settings, Binaries: []PlatformBinary{{"linux/amd64", bins["amd64"]}, {"linux/amd64", bins["amd64"]}}}, "names platform linux/amd64 twice"},
		{"platforms too", Request{Settings: config.Layer{Name: "flag", Values: config.Build{Base: &scratch, Platforms: platforms}}, Binaries: []PlatformBinary{{"linux/amd64", bins["amd64"]}}}, "cannot be given too"},
		{"bad platform", Request{Settings: settings, Binaries: []PlatformBinary{{"linux/sparc", bins["amd64"]}}}, "is not one platform"},
		{"missing", Request{Settings: settings, Binaries: []PlatformBinary{{"linux/amd64", "/nonexistent/app"}}}, "--binary /nonexistent/app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Prepare(context.Background(), tc.req)
			if err == nil || !IsInput(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want an input error containing %q", err, tc.want)
			}
		})
	}
}
