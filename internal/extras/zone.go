package extras

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// ZoneDir is where the C libraries and Rust's zone crates read the zone
// database.
const ZoneDir = "/usr/share/zoneinfo"

// zoneCrates read the system zone database. chrono-tz embeds its own data
// and does not count; chrono's Local and time's local offset reach it
// through the path or localtime_r, which the binary then holds.
var zoneCrates = []string{"jiff", "tz-rs", "tzfile", "libtzfile"}

// zoneCalls are the C library's functions that load the zone database.
var zoneCalls = []string{"localtime", "localtime_r", "tzset", "mktime", "timelocal", "ctime", "ctime_r"}

// Zone says whether the binary reads the zone database, and why: TZ in the
// image's environment (KEY=VALUE entries), a crate known to read it, the
// database's path among the binary's bytes, or a call to the C library's
// localtime family.
func Zone(binary string, crates, env []string) (bool, string, error) {
	for _, kv := range env {
		if strings.HasPrefix(kv, "TZ=") {
			return true, "TZ is set in the image's environment", nil
		}
	}
	for _, c := range crates {
		if slices.Contains(zoneCrates, c) {
			return true, fmt.Sprintf("the crate %s reads it", c), nil
		}
	}
	f, err := os.Open(binary)
	if err != nil {
		return false, "", fmt.Errorf("reading %s for the zone database's path: %w", binary, err)
	}
	defer f.Close()
	found, err := contains(f, []byte(ZoneDir))
	if err != nil {
		return false, "", fmt.Errorf("reading %s for the zone database's path: %w", binary, err)
	}
	if found {
		return true, "the binary names " + ZoneDir, nil
	}
	if call := zoneCall(f); call != "" {
		return true, fmt.Sprintf("the binary calls the C library's %s, which reads it", call), nil
	}
	return false, "the binary does not read it (no zone crate, no " + ZoneDir + " path, no localtime call, no TZ)", nil
}

// zoneCall is the first function of zoneCalls the ELF file r imports, ""
// for none (or for a file whose symbols cannot be read).
func zoneCall(r io.ReaderAt) string {
	ef, err := elf.NewFile(r)
	if err != nil {
		return ""
	}
	defer ef.Close()
	syms, err := ef.ImportedSymbols()
	if err != nil {
		return ""
	}
	for _, s := range syms {
		if slices.Contains(zoneCalls, s.Name) {
			return s.Name
		}
	}
	return ""
}

// contains reports whether r holds needle, read in chunks: binaries with
// debug information run to hundreds of megabytes.
func contains(r io.Reader, needle []byte) (bool, error) {
	buf := make([]byte, 1<<20)
	keep := len(needle) - 1
	n := 0
	for {
		m, err := io.ReadFull(r, buf[n:])
		n += m
		if bytes.Contains(buf[:n], needle) {
			return true, nil
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		copy(buf, buf[n-keep:n])
		n = keep
	}
}
