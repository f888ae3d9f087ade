package pipeline

import (
	"context"
	"testing"
)

type fakeToolchain struct {
	host      string
	installed []string
}

func (f fakeToolchain) HostTriple(context.Context) (string, error) { return f.host, nil }
func (f fakeToolchain) InstalledTargets(context.Context) ([]string, error) {
	return f.installed, nil
}

func TestStaticTarget(t *testing.T) {
	gnu := "x86_64-unknown-linux-gnu"
	tests := []struct {
		name      string
		tc        fakeToolchain
		requested string
		want      string
		crt       bool
	}{
		{"glibc host, no musl", fakeToolchain{gnu, []string{gnu}}, "", gnu, true},
		{"musl installed", fakeToolchain{gnu, []string{gnu, "x86_64-unknown-linux-musl"}}, "", "x86_64-unknown-linux-musl", false},
		{"explicit musl", fakeToolchain{gnu, []string{gnu}}, "aarch64-unknown-linux-musl", "aarch64-unknown-linux-musl", false},
		{"explicit glibc", fakeToolchain{gnu, []string{gnu}}, "aarch64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, crt, err := StaticTarget(context.Background(), tt.tc, tt.requested)
			if err != nil || got != tt.want || crt != tt.crt {
				t.Errorf("StaticTarget = %q, %v, %v; want %q, %v", got, crt, err, tt.want, tt.crt)
			}
		})
	}
}
