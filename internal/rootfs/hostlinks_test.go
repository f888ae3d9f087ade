package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAbsoluteLinksStayInRoot: a runtime root (a --runtime-from image, a
// --sysroot) whose loader and CA bundle are absolute links must give the
// root's own files, or an error, never the build machine's files the same
// names have on the host (issue 16, high 2).
func TestAbsoluteLinksStayInRoot(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "host-secret.pem")
	if err := os.WriteFile(secret, []byte("HOST"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		links   map[string]string // in-root link -> target
		files   map[string]string // in-root file -> content
		libs    []string
		wantSrc map[string]string // in-image path -> content of its source
		wantErr string
		noCA    bool
	}{
		{name: "loader link resolves to the root's loader",
			links:   map[string]string{"lib64/ld-linux-x86-64.so.2": "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
			files:   map[string]string{"lib/x86_64-linux-gnu/ld-linux-x86-64.so.2": "IMAGE LD"},
			libs:    []string{"/lib64/ld-linux-x86-64.so.2"},
			wantSrc: map[string]string{"/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2": "IMAGE LD"}},
		{name: "loader link to a file only the host has",
			links:   map[string]string{"lib64/ld-linux-x86-64.so.2": "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
			libs:    []string{"/lib64/ld-linux-x86-64.so.2"},
			wantErr: "does not exist"},
		{name: "loader link climbing out with ..",
			links:   map[string]string{"lib64/ld-linux-x86-64.so.2": "../../../../../../" + strings.TrimPrefix(secret, "/")},
			libs:    []string{"/lib64/ld-linux-x86-64.so.2"},
			wantErr: "does not exist"},
		{name: "CA bundle link to a host file",
			links: map[string]string{"etc/ssl/certs/ca-certificates.crt": secret},
			noCA:  true},
		{name: "CA bundle link resolves to the root's bundle",
			links:   map[string]string{"etc/ssl/certs/ca-certificates.crt": "/usr/share/ca/bundle.pem"},
			files:   map[string]string{"usr/share/ca/bundle.pem": "IMAGE PEM"},
			wantSrc: map[string]string{"/etc/ssl/certs/ca-certificates.crt": "IMAGE PEM"}},
		{name: "CA bundle link loop",
			links:   map[string]string{"etc/ssl/certs/ca-certificates.crt": "/etc/ssl/certs/ca-certificates.crt"},
			wantErr: "loop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for p, c := range tt.files {
				writeIn(t, root, p, c)
			}
			for p, target := range tt.links {
				writeIn(t, root, filepath.Dir(p)+"/.keep", "")
				if err := os.Symlink(target, filepath.Join(root, p)); err != nil {
					t.Fatal(err)
				}
			}
			set, warnings, err := Runtime(Options{Root: root, Libraries: tt.libs, System: true})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			files := byPath(set)
			for _, f := range files {
				if f.Source != "" && !strings.HasPrefix(f.Source, root+"/") {
					t.Errorf("%s comes from %s, outside the root %s", f.Path, f.Source, root)
				}
			}
			for p, want := range tt.wantSrc {
				if got, err := os.ReadFile(files[p].Source); err != nil || string(got) != want {
					t.Errorf("%s = %q (%v), want %q", p, got, err, want)
				}
			}
			if _, ok := files["/etc/ssl/certs/ca-certificates.crt"]; tt.noCA && (ok || len(warnings) == 0) {
				t.Errorf("a CA bundle was added (%v) or no warning given (%v)", ok, warnings)
			}
		})
	}
}

func writeIn(t *testing.T, root, p, content string) {
	t.Helper()
	full := filepath.Join(root, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}
