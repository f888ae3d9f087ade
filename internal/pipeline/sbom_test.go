package pipeline

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/stamp"
)

// TestFileSHA256BadStamp: a remembered digest edited into something else
// (here, text that would land in the SBOM) is not used; the file is read.
func TestFileSHA256BadStamp(t *testing.T) {
	const src = "/bin/true" // installed long ago: its identity is settled
	if _, err := os.Stat(src); err != nil {
		t.Skip("no /bin/true")
	}
	want, err := readSHA256(src)
	if err != nil {
		t.Fatal(err)
	}
	key := stamp.FileKey(src, time.Now(), "sha256")
	for _, bad := range []string{"not a digest", strings.Repeat("AB", 32), strings.Repeat("a", 63), want + "0"} {
		stamps := stamp.Store{Dir: t.TempDir()}
		stamps.Put(key, bad)
		if got, err := fileSHA256(src, stamps); err != nil || got != want {
			t.Errorf("stamp %q: got %q, %v; want %s", bad, got, err, want)
		}
	}
	stamps := stamp.Store{Dir: t.TempDir()}
	good := strings.Repeat("0", 64)
	stamps.Put(key, good)
	if got, _ := fileSHA256(src, stamps); got != good {
		t.Errorf("a digest remembered is not used: got %s", got)
	}
}
