package provenance

import (
	"bytes"
	"strings"
	"testing"
)

// TestReproducedGolden checks the "reproduced" statement byte for byte,
// twice (it is deterministic: it holds no time).
func TestReproducedGolden(t *testing.T) {
	r := Reproduction{
		Subject: "sha256:" + strings.Repeat("a", 64), Rebuilt: "sha256:" + strings.Repeat("a", 64),
		Provenance:   []byte(`{"_type":"https://in-toto.io/Statement/v1"}`),
		Source:       Source{URL: "https://example.com/api.git", Commit: strings.Repeat("c", 40), Clean: true},
		BerthVersion: "v0.9.0",
	}
	got, err := Reproduced(r)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := Reproduced(r); !bytes.Equal(got, again) {
		t.Fatal("two statements of one reproduction differ")
	}
	checkGolden(t, "reproduced.golden.json", got)
}

func TestReproducedRefuses(t *testing.T) {
	good := "sha256:" + strings.Repeat("a", 64)
	for name, r := range map[string]Reproduction{
		"subject without algorithm": {Subject: strings.Repeat("a", 64), Rebuilt: good},
		"empty rebuilt digest":      {Subject: good, Rebuilt: "sha256:"},
	} {
		if _, err := Reproduced(r); err == nil || !strings.Contains(err.Error(), "is not ALG:HEX") {
			t.Errorf("%s: err %v, want a digest error", name, err)
		}
	}
}
