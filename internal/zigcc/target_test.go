package zigcc

import (
	"strings"
	"testing"
)

func TestForTriple(t *testing.T) {
	tests := []struct {
		triple, glibc string
		want          string
		wantErr       string
	}{
		{"aarch64-unknown-linux-gnu", "", "aarch64-linux-gnu", ""},
		{"aarch64-unknown-linux-gnu", "2.17", "aarch64-linux-gnu.2.17", ""},
		{"x86_64-unknown-linux-musl", "", "x86_64-linux-musl", ""},
		{"armv7-unknown-linux-gnueabihf", "2.28", "arm-linux-gnueabihf.2.28", ""},
		{"i686-unknown-linux-gnu", "", "x86-linux-gnu", ""},
		{"riscv64gc-unknown-linux-gnu", "", "riscv64-linux-gnu", ""},
		{"aarch64-unknown-linux-musl", "2.17", "", "links musl"},
		{"aarch64-apple-darwin", "", "", "links Linux targets"},
		{"x86_64-unknown-linux-android", "", "", "gnu and musl targets"},
	}
	for _, tt := range tests {
		t.Run(tt.triple+"."+tt.glibc, func(t *testing.T) {
			got, err := ForTriple(tt.triple, tt.glibc)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && got.Zig != tt.want {
				t.Errorf("zig target %q, want %q", got.Zig, tt.want)
			}
		})
	}
}

func TestAtLeast(t *testing.T) {
	tests := []struct {
		v, min string
		want   bool
	}{
		{"0.11.0", "0.11.0", true},
		{"0.14.0-dev.2456+a68119f8f", "0.11.0", true},
		{"0.10.1", "0.11.0", false},
		{"1.0.0", "0.11.0", true},
		{"", "0.11.0", false},
		{"zig", "0.11.0", false},
		{"0.11", "0.11.0", false},
	}
	for _, tt := range tests {
		if got := AtLeast(tt.v, tt.min); got != tt.want {
			t.Errorf("AtLeast(%q, %q) = %t", tt.v, tt.min, got)
		}
	}
}
