package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// triples is what StaticTarget needs from the toolchain.
type triples interface {
	HostTriple(ctx context.Context) (string, error)
	InstalledTargets(ctx context.Context) ([]string, error)
}

// StaticTarget chooses how to link statically. A musl target is static by
// nature; with glibc, +crt-static needs an explicit target triple so that
// proc-macros and build scripts stay dynamic. With no target requested the
// host's musl twin is used when its std is installed, else the host triple.
func StaticTarget(ctx context.Context, tc triples, requested string) (target string, crtStatic bool, err error) {
	if strings.HasSuffix(requested, "-musl") {
		return requested, false, nil
	}
	if requested != "" {
		return requested, true, nil
	}
	host, err := tc.HostTriple(ctx)
	if err != nil {
		return "", false, fmt.Errorf("finding the host target for a static build: %w", err)
	}
	if musl, ok := strings.CutSuffix(host, "-gnu"); ok {
		installed, err := tc.InstalledTargets(ctx)
		if err == nil && slices.Contains(installed, musl+"-musl") {
			return musl + "-musl", false, nil
		}
	}
	return host, true, nil
}
