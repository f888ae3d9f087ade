package publish

import (
	"context"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestSignedPush: Open refuses signing flags that cannot work before
// anything is built, and a key whose password is wrong stops the push
// before any blob is uploaded; with the right one, every tag of one
// repository shares one set of signatures.
func TestSignedPush(t *testing.T) {
	key, _, err := testenv.WriteCosignKey(t.TempDir(), "right")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		out  Outputs
		want string
	}{
		{"sign without push", Outputs{Sign: true, SignKey: key, DefaultLayout: t.TempDir()}, "add --push"},
		{"key without sign", Outputs{Push: true, SignKey: key}, "add --sign"},
		{"missing key", Outputs{Push: true, Sign: true, SignKey: key + ".nope"}, "cosign generate-key-pair"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Open(tc.out); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open: %v, want an error that says %q", err, tc.want)
			}
		})
	}
	reg := newRegistry(t)
	img := testImage(t, randomLayers(t, 1)...)
	tt := tags(t, reg.host()+"/team/app:latest", reg.host()+"/team/app:v1")
	out := Outputs{Push: true, Sign: true, SignKey: key}

	t.Setenv("COSIGN_PASSWORD", "wrong")
	sink, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sink.Publish(context.Background(), single(img), tt); err == nil || !strings.Contains(err.Error(), "COSIGN_PASSWORD") {
		t.Errorf("wrong password: %v, want an error naming COSIGN_PASSWORD", err)
	}
	if n := reg.uploads.Load(); n != 0 {
		t.Errorf("wrong password: %d blobs uploaded, want none", n)
	}

	t.Setenv("COSIGN_PASSWORD", "right")
	if sink, err = Open(out); err != nil {
		t.Fatal(err)
	}
	published, err := sink.Publish(context.Background(), single(img), tt)
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf(t, img)
	for _, p := range published {
		if len(p.Signatures) != 1 || p.Signatures[0].Subject.String() != d {
			t.Errorf("%s: signatures %+v, want the image's", p.Ref, p.Signatures)
		}
	}
}
