package debuginfo

import (
	"bytes"
	"context"
	"crypto/sha1"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
)

// Objcopy is the program Split runs: binutils' objcopy.
var Objcopy = "objcopy"

// Result is a split binary: the stripped copy to ship, the debug file and
// the build-id linking them.
type Result struct {
	Stripped, Debug string
	BuildID         string // lower-case hex
}

// Path is where debuggers look for the debug file of buildID under a debug
// directory: .build-id/xx/yyyy.debug.
func Path(buildID string) string {
	return path.Join(".build-id", buildID[:2], buildID[2:]+".debug")
}

// Check reports an error naming the package to install when objcopy is
// not on PATH.
func Check() error {
	if _, err := exec.LookPath(Objcopy); err != nil {
		return fmt.Errorf("splitting debug information needs objcopy, which is not on PATH: install Debian's binutils (apt-get install binutils)")
	}
	return nil
}

// Split writes into dir (created if need be) a copy of binary with its
// debug sections stripped and a .gnu_debuglink to the debug file, and the
// debug file itself. A binary without a build-id gets one first, the
// SHA-1 of its bytes, as a note section: the same binary gets the same id.
// The outputs depend only on the binary's bytes.
func Split(ctx context.Context, binary, dir string) (*Result, error) {
	if err := Check(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	src := binary
	id, err := BuildID(binary)
	if errors.Is(err, ErrNoBuildID) {
		if src, id, err = addBuildID(ctx, binary, dir); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	base := filepath.Base(binary)
	r := &Result{Stripped: filepath.Join(dir, base), Debug: filepath.Join(dir, base+".debug"), BuildID: id}
	if err := objcopy(ctx, "--only-keep-debug", src, r.Debug); err != nil {
		return nil, err
	}
	// The debuglink names the debug file's base name and CRC: debuggers
	// that do not look up build-ids find it beside the binary.
	if err := objcopy(ctx, "--strip-debug", "--add-gnu-debuglink="+r.Debug, src, r.Stripped); err != nil {
		return nil, err
	}
	return r, nil
}

// ErrNoBuildID is BuildID's error for a binary without a GNU build-id.
var ErrNoBuildID = errors.New("no GNU build-id note")

// BuildID is the GNU build-id of the ELF file at p, in lower-case hex.
func BuildID(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("reading the build-id of %s: %w", p, err)
	}
	defer f.Close()
	id, err := BuildIDOf(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return id, nil
}

// BuildIDOf is the GNU build-id of the ELF file r, in lower-case hex.
func BuildIDOf(r io.ReaderAt) (string, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return "", fmt.Errorf("reading the build-id: %w", err)
	}
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOTE {
			continue
		}
		data, err := s.Data()
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", s.Name, err)
		}
		if id := noteBuildID(data, f.ByteOrder); id != "" {
			return id, nil
		}
	}
	return "", ErrNoBuildID
}

// noteBuildID finds an NT_GNU_BUILD_ID note among the notes in data.
func noteBuildID(data []byte, bo binary.ByteOrder) string {
	align := func(n uint32) int { return int((n + 3) &^ 3) }
	for len(data) >= 12 {
		namesz, descsz, typ := bo.Uint32(data), bo.Uint32(data[4:]), bo.Uint32(data[8:])
		rest := data[12:]
		if align(namesz)+align(descsz) > len(rest) {
			return ""
		}
		name := rest[:namesz]
		desc := rest[align(namesz) : align(namesz)+int(descsz)]
		if typ == 3 && bytes.Equal(name, []byte("GNU\x00")) && len(desc) > 1 {
			return hex.EncodeToString(desc)
		}
		data = rest[align(namesz)+align(descsz):]
	}
	return ""
}

// addBuildID copies binary into dir with a build-id note, the SHA-1 of
// the binary's bytes.
func addBuildID(ctx context.Context, binary, dir string) (string, string, error) {
	data, err := os.ReadFile(binary)
	if err != nil {
		return "", "", err
	}
	sum := sha1.Sum(data)
	f, err := elf.Open(binary)
	if err != nil {
		return "", "", err
	}
	bo := f.ByteOrder
	f.Close()
	note := make([]byte, 12, 16+len(sum))
	bo.PutUint32(note, 4)
	bo.PutUint32(note[4:], uint32(len(sum)))
	bo.PutUint32(note[8:], 3) // NT_GNU_BUILD_ID
	note = append(append(note, "GNU\x00"...), sum[:]...)
	notePath := filepath.Join(dir, "build-id.note")
	if err := os.WriteFile(notePath, note, 0o644); err != nil {
		return "", "", err
	}
	out := filepath.Join(dir, "with-build-id")
	if err := objcopy(ctx, "--add-section", ".note.gnu.build-id="+notePath,
		"--set-section-flags", ".note.gnu.build-id=readonly", binary, out); err != nil {
		return "", "", err
	}
	return out, hex.EncodeToString(sum[:]), nil
}

func objcopy(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, Objcopy, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("running %s %v: %w: %s", Objcopy, args, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}
