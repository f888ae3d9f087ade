package cli

import (
	"strings"
	"testing"
)

func TestParseBinaries(t *testing.T) {
	for _, tc := range []struct {
		name, want, err string
		in              []string
	}{
		{name: "none"},
		{name: "one path", in: []string{"target/release/api"}, want: "target/release/api"},
		{name: "a path with =", in: []string{"out/a=b"}, want: "out/a=b"},
		{name: "per platform", in: []string{"linux/amd64=a", "linux/arm64=b"}, want: "linux/amd64=a linux/arm64=b"},
		{name: "one platform", in: []string{"linux/arm64=b"}, want: "linux/arm64=b"},
		{name: "mixed", in: []string{"a", "linux/arm64=b"}, err: "--binary a: with several --binary, give each as PLATFORM=PATH"},
		{name: "two paths", in: []string{"a", "b"}, err: "--binary a: with several"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			one, per, err := parseBinaries(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			got := one
			for _, b := range per {
				got = strings.TrimSpace(got + " " + b.Platform + "=" + b.Path)
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
