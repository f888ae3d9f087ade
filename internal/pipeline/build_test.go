package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// hostBinary is a real dynamic ELF executable of this machine.
func hostBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/true", "/bin/true"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("no /usr/bin/true on this machine")
	return ""
}

func TestImageOfDynamicBinary(t *testing.T) {
	bin := hostBinary(t)
	res, err := Image(context.Background(), Options{Binary: bin, Name: "app", Epoch: time.Unix(0, 0), User: "65532:65532"})
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(res.Image); err != nil {
		t.Fatalf("invalid image: %v", err)
	}
	layers, _ := res.Image.Layers()
	if len(layers) != 2 {
		t.Errorf("%d layers, want runtime + application", len(layers))
	}
	if !res.Runtime.Has("/etc/passwd") || !res.App.Has("/usr/local/bin/app") || res.App.Len() != 1 {
		t.Errorf("runtime/app split wrong: runtime has passwd %v, app %d files", res.Runtime.Has("/etc/passwd"), res.App.Len())
	}
	var libc bool
	for _, f := range res.Runtime.Files() {
		libc = libc || strings.HasSuffix(f.Path, "/libc.so.6")
	}
	if !libc {
		t.Error("runtime layer lacks libc.so.6")
	}
	cf, _ := res.Image.ConfigFile()
	if cf.Config.Entrypoint[0] != "/usr/local/bin/app" || cf.Config.User != "65532:65532" || cf.Architecture == "" {
		t.Errorf("config = %+v", cf.Config)
	}
}

func TestBaseErrors(t *testing.T) {
	bin := hostBinary(t)
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"scratch needs static", func() error {
			_, err := Image(context.Background(), Options{Binary: bin, Base: BaseScratch})
			return err
		}, "--base scratch needs a static binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestStage(t *testing.T) {
	tests := []struct {
		name, appDir string
	}{{"one root", ""}, {"binary apart", "app"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out, appOut, appArg := filepath.Join(dir, "rootfs"), filepath.Join(dir, "rootfs"), ""
			if tt.appDir != "" {
				appOut = filepath.Join(dir, tt.appDir)
				appArg = appOut
			}
			c, err := stageFiles(context.Background(), Options{Binary: hostBinary(t), Name: "app"}, out, appArg)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"/etc/passwd", "/etc/ssl/certs/ca-certificates.crt", c.Closure.Interpreter} {
				if _, err := os.Lstat(filepath.Join(out, p)); err != nil {
					t.Errorf("staged tree lacks %s: %v", p, err)
				}
			}
			if _, err := os.Stat(filepath.Join(appOut, c.Entrypoint)); err != nil {
				t.Errorf("binary not staged in %s: %v", appOut, err)
			}
			if _, err := os.Stat(filepath.Join(out, c.Entrypoint)); tt.appDir != "" && err == nil {
				t.Errorf("binary staged with the runtime files despite a separate root")
			}
		})
	}
}

// TestIncludeAtBinaryPath: an include where the binary goes would be hidden
// by it; that is an error, not a silent loss.
func TestIncludeAtBinaryPath(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "app.toml")
	if err := os.WriteFile(conf, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Collect(context.Background(), Options{Binary: hostBinary(t), Name: "app", Includes: []string{conf + ":/usr/local/bin/app"}})
	if err == nil || !strings.Contains(err.Error(), "where the binary goes") {
		t.Fatalf("err = %v, want the include refused", err)
	}
}
