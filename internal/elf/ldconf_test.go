package elf

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadLdSoConf(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    []string
		wantErr string
	}{
		{name: "missing", files: nil, want: nil},
		{name: "debian", files: map[string]string{
			"etc/ld.so.conf":                         "include /etc/ld.so.conf.d/*.conf\n",
			"etc/ld.so.conf.d/libc.conf":             "# libc default configuration\n/usr/local/lib\n",
			"etc/ld.so.conf.d/x86_64-linux-gnu.conf": "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n",
			"etc/ld.so.conf.d/fakeroot.conf":         "/usr/lib/x86_64-linux-gnu/libfakeroot\n",
			"etc/ld.so.conf.d/ignored.txt":           "/not/included\n",
		}, want: []string{"/usr/lib/x86_64-linux-gnu/libfakeroot", "/usr/local/lib", "/usr/local/lib/x86_64-linux-gnu",
			"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"}},
		{name: "relative-multi-and-syntax", files: map[string]string{
			"etc/ld.so.conf": "/first\ninclude a.d/*.conf  b.d/*.conf\nhwcap 1 foo\n/old=libc6 \n/first/\n  # comment only\n",
			"etc/a.d/1.conf": "/a # inline comment\n",
			"etc/b.d/1.conf": "/b\nrelative/ignored\n",
		}, want: []string{"/first", "/a", "/b", "/old"}},
		{name: "loop", files: map[string]string{
			"etc/ld.so.conf": "include /etc/ld.so.conf\n",
		}, wantErr: "include loop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "root[1]") // glob characters in the root stay literal
			for name, content := range tt.files {
				writeFile(t, filepath.Join(root, name), content)
			}
			got, err := readLdSoConf(root)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("readLdSoConf() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("readLdSoConf() = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
