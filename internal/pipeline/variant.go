package pipeline

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/fileset"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/rootfs"
)

// The debug variant: the image plus Debian's static busybox, its applets
// linked under DebugDir, published under each tag with DebugSuffix.
const (
	DebugDir    = "/busybox"
	DebugSuffix = "-debug"
)

var busyboxExtra = rootfs.Extra{Path: "/bin/busybox", Package: "busybox-static", For: "--debug-variant"}

// applets are linked under DebugDir: a shell and the tools one debugs a
// service with (distroless's :debug links busybox's applets the same way).
var applets = []string{
	"busybox", "sh", "ash", "cat", "ls", "ps", "top", "env", "grep", "sed", "awk", "vi", "less", "head", "tail",
	"find", "wget", "nc", "netstat", "nslookup", "ip", "ping", "id", "whoami", "df", "du", "free", "kill",
	"sleep", "echo", "test", "printf", "which", "hostname", "uname", "date", "mkdir", "rm", "cp", "mv", "ln",
	"chmod", "touch", "wc", "sort", "uniq", "tr", "xargs", "tar", "gzip", "stat", "readlink", "pwd", "true", "false",
}

// checkVariantTags checks, before cargo runs, that every tag with
// DebugSuffix appended is still a tag (at most 128 characters).
func checkVariantTags(tags []name.Tag) error {
	for _, t := range tags {
		if _, err := name.NewTag(t.String() + DebugSuffix); err != nil {
			return inputf("debug-variant: the tag %s with %s appended is not a valid tag (%v): shorten it", t, DebugSuffix, err)
		}
	}
	return nil
}

// debugVariant is res's image with one more layer: busybox from the
// system root, its package record and copyright, and the applets' links
// under DebugDir; PATH gains DebugDir. The image below it is res.Image,
// unchanged: asking for the variant does not change the image's digest.
func debugVariant(ctx context.Context, opts Options, res *Result) (v1.Image, error) {
	root := extrasRoot(opts)
	if err := checkMachine(root, busyboxExtra, res.Closure); err != nil {
		return nil, err
	}
	set, _, err := rootfs.Runtime(rootfs.Options{Root: root, Extras: []rootfs.Extra{busyboxExtra}})
	if err != nil {
		return nil, err
	}
	real := ""
	for _, f := range set.Files() {
		if f.Mode.IsRegular() && path.Base(f.Path) == "busybox" {
			real = f.Path
		}
	}
	for _, a := range applets {
		if err := set.Add(fileset.File{Path: path.Join(DebugDir, a), Mode: fs.ModeSymlink | 0o777, Link: real}); err != nil {
			return nil, err
		}
	}
	if err := addPackages(set, root, rootName(opts), &Contents{}); err != nil {
		return nil, err
	}
	cf, err := res.Image.ConfigFile()
	if err != nil {
		return nil, err
	}
	img, err := image.Build(ctx, image.Options{
		Base: res.Image, Layers: [][]fileset.File{set.Files()}, LayerNames: []string{"debug shell (busybox)"},
		Platform: res.Platform, Epoch: opts.Epoch, Env: []string{debugPath(cf.Config.Env)},
		Cache: opts.Cache, Compression: opts.Compression, Progress: opts.Progress,
	})
	if err != nil {
		return nil, fmt.Errorf("assembling the debug variant: %w", err)
	}
	return img, nil
}

// debugPath is PATH with DebugDir last: the image's own PATH, else the
// one Docker gives a container without one.
func debugPath(env []string) string {
	p := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			p = v
		}
	}
	return "PATH=" + p + ":" + DebugDir
}
