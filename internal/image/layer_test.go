package image

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// testFiles returns a small runtime file set whose binary comes from a host
// file, plus that host file's path.
func testFiles(t *testing.T) ([]fileset.File, string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(src, []byte("\x7fELF binary"), 0o600); err != nil {
		t.Fatal(err)
	}
	var s fileset.Set
	for _, f := range []fileset.File{
		{Path: "/usr/local/bin/app", Mode: 0o755, Source: src},
		{Path: "/etc/passwd", Mode: 0o644, Data: []byte("root:x:0:0::/root:/sbin/nologin\n")},
		{Path: "/tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777},
		{Path: "/app", Mode: fs.ModeSymlink | 0o777, Link: "usr/local/bin/app"},
	} {
		if err := s.Add(f); err != nil {
			t.Fatal(err)
		}
	}
	return s.Files(), src
}

func digest(t *testing.T, l interface{ Digest() (v1.Hash, error) }) v1.Hash {
	t.Helper()
	d, err := l.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLayerDeterministic(t *testing.T) {
	files, src := testFiles(t)
	epoch := time.Unix(1700000000, 0)
	first, err := Layer(files, epoch)
	if err != nil {
		t.Fatal(err)
	}
	// A rebuild touches the binary without changing it: the digest must hold.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(src, later, later); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		files []fileset.File
		epoch time.Time
		same  bool
	}{
		{"same input", files, epoch, true},
		{"sub-second epoch is truncated", files, epoch.Add(300 * time.Millisecond), true},
		{"other epoch", files, epoch.Add(time.Second), false},
		{"other order", append([]fileset.File{files[len(files)-1]}, files[:len(files)-1]...), epoch, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Layer(tt.files, tt.epoch)
			if err != nil {
				t.Fatal(err)
			}
			if got := digest(t, l) == digest(t, first); got != tt.same {
				t.Errorf("same digest = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestLayerGzipHeader(t *testing.T) {
	files, _ := testFiles(t)
	l, err := Layer(files, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 1952: FLG (byte 3) = 0 means no name/comment/extra; MTIME (4-7) = 0.
	if b[0] != 0x1f || b[1] != 0x8b || b[3] != 0 || !bytes.Equal(b[4:8], []byte{0, 0, 0, 0}) {
		t.Errorf("gzip header % x has a name or a timestamp", b[:10])
	}
	if mt, _ := l.MediaType(); mt != types.OCILayer {
		t.Errorf("media type = %s, want %s", mt, types.OCILayer)
	}
}

func TestLayerEntries(t *testing.T) {
	files, _ := testFiles(t)
	epoch := time.Unix(1234567890, 0)
	l, err := Layer(files, epoch)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, link, data string
		typ              byte
		mode             int64
	}{
		{name: "app", typ: tar.TypeSymlink, mode: 0o777, link: "usr/local/bin/app"},
		{name: "etc/", typ: tar.TypeDir, mode: 0o755},
		{name: "etc/passwd", typ: tar.TypeReg, mode: 0o644, data: "root:x:0:0::/root:/sbin/nologin\n"},
		{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
		{name: "usr/", typ: tar.TypeDir, mode: 0o755},
		{name: "usr/local/", typ: tar.TypeDir, mode: 0o755},
		{name: "usr/local/bin/", typ: tar.TypeDir, mode: 0o755},
		{name: "usr/local/bin/app", typ: tar.TypeReg, mode: 0o755, data: "\x7fELF binary"},
	}
	got := readTar(t, l)
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i, w := range want {
		t.Run(w.name, func(t *testing.T) {
			h := got[i]
			if h.Name != w.name || h.Typeflag != w.typ || h.Mode != w.mode || h.Linkname != w.link {
				t.Errorf("entry %d = %q type %c mode %o link %q, want %q type %c mode %o link %q",
					i, h.Name, h.Typeflag, h.Mode, h.Linkname, w.name, w.typ, w.mode, w.link)
			}
			if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
				t.Errorf("owner = %d:%d (%q:%q), want 0:0 without names", h.Uid, h.Gid, h.Uname, h.Gname)
			}
			if !h.ModTime.Equal(epoch) || !h.AccessTime.IsZero() || !h.ChangeTime.IsZero() || len(h.PAXRecords) != 0 {
				t.Errorf("times = %v/%v/%v pax %v, want mtime %v only", h.ModTime, h.AccessTime, h.ChangeTime, h.PAXRecords, epoch)
			}
			if string(h.data) != w.data {
				t.Errorf("content = %q, want %q", h.data, w.data)
			}
		})
	}
}

type entry struct {
	*tar.Header
	data []byte
}

func readTar(t *testing.T, l v1.Layer) []entry {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out []entry
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{h, data})
	}
}

func TestLayerErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name string
		file fileset.File
		want string
	}{
		{"missing source", fileset.File{Path: "/bin/app", Mode: 0o755, Source: missing}, "/bin/app: reading host file"},
		{"source is a dir", fileset.File{Path: "/bin/app", Mode: 0o755, Source: t.TempDir()}, "is not a regular file"},
		{"relative path", fileset.File{Path: "bin/app", Mode: 0o644}, "must be absolute"},
		{"device", fileset.File{Path: "/dev/null", Mode: fs.ModeDevice | 0o666}, "unsupported file type"},
		{"symlink without target", fileset.File{Path: "/lib", Mode: fs.ModeSymlink | 0o777}, "no target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Layer([]fileset.File{tt.file}, time.Unix(0, 0))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestLayerGolden pins the digests of a small layer. The diff ID (tar bytes)
// depends only on berth; the digest also on Go's compress/flate, so a change
// here after a Go upgrade means images are no longer reproducible across
// that upgrade, which deserves a release note.
func TestLayerGolden(t *testing.T) {
	files := []fileset.File{
		{Path: "/etc", Mode: fs.ModeDir | 0o755},
		{Path: "/etc/group", Mode: 0o644, Data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{Path: "/etc/localtime", Mode: fs.ModeSymlink | 0o777, Link: "/usr/share/zoneinfo/UTC"},
	}
	l, err := Layer(files, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	diffID, err := l.DiffID()
	if err != nil {
		t.Fatal(err)
	}
	const (
		wantDiffID = "sha256:520aad45ae7f52adc2b46c6b7dd0b6407a8145cac0fbfa6f8650feef2a06b417"
		// Changed from sha256:ac50a33e... when layers moved from Go's
		// single-threaded gzip to pgzip (bench/compress: 0.22x the time).
		wantDigest = "sha256:13c3616380918821d185fafab8652c06567509d0ee9339d763ee3c5000d8b514"
	)
	if diffID.String() != wantDiffID {
		t.Errorf("diff ID = %s, want %s: the tar stream changed", diffID, wantDiffID)
	}
	if d := digest(t, l).String(); d != wantDigest {
		t.Errorf("digest = %s, want %s: the gzip stream changed (pgzip or klauspost/compress upgrade? then compressorName must name a new cache directory)", d, wantDigest)
	}
}

// A layer larger than a pgzip block, gzip or zstd, compressed on one core
// or on two, through the cache (empty, then full) or not, has one digest, and
// it decompresses to its tar.
func TestLayerDeterministicAcrossCores(t *testing.T) {
	src := filepath.Join(t.TempDir(), "app")
	data := make([]byte, 6<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3 << 20 {
		data[i] = byte(r.Uint32() % 16)
	}
	if err := os.WriteFile(src, data, 0o755); err != nil {
		t.Fatal(err)
	}
	files := []fileset.File{{Path: "/app", Mode: 0o755, Source: src}, {Path: "/etc", Mode: 0o755 | os.ModeDir}}
	cache := &Cache{Dir: t.TempDir()}
	for _, comp := range []Compression{Gzip, Zstd} {
		var first v1.Hash
		for _, procs := range []int{1, 2} {
			for i, c := range []*Cache{nil, cache, cache} {
				l := layerAt(t, procs, c, files, comp)
				if mt, _ := l.MediaType(); mt != comp.mediaType() {
					t.Errorf("%s: media type %s", comp, mt)
				}
				if d, _ := digests(t, l); first.Hex == "" {
					first = d
				} else if d != first {
					t.Errorf("%s GOMAXPROCS=%d run %d: digest %s, want %s", comp, procs, i, d, first)
				}
			}
		}
	}
}

// layerAt builds a validated layer at GOMAXPROCS=procs.
func layerAt(t *testing.T, procs int, c *Cache, files []fileset.File, comp Compression) v1.Layer {
	t.Helper()
	prev := runtime.GOMAXPROCS(procs)
	l, err := c.Layer(context.Background(), files, time.Unix(1700000000, 0), comp)
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	checkLayer(t, l)
	return l
}

// checkLayer does what validate.Layer does for gzip layers (which is all it
// knows) for any compression: Compressed hashes to Digest and has Size
// bytes, Uncompressed hashes to DiffID.
func checkLayer(t *testing.T, l v1.Layer) {
	t.Helper()
	for _, c := range []struct {
		name string
		open func() (io.ReadCloser, error)
		want func() (v1.Hash, error)
	}{{"compressed", l.Compressed, l.Digest}, {"uncompressed", l.Uncompressed, l.DiffID}} {
		rc, err := c.open()
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		want, _ := c.want()
		if err != nil || "sha256:"+hex.EncodeToString(h.Sum(nil)) != want.String() {
			t.Errorf("%s stream (%d bytes, %v) does not hash to %s", c.name, n, err, want)
		}
		if size, _ := l.Size(); c.name == "compressed" && n != size {
			t.Errorf("compressed stream has %d bytes, Size says %d", n, size)
		}
	}
}
