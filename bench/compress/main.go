// Command compress measures layer compressors on one file against
// single-threaded `gzip -6` of the same file: time, compressed size, and
// whether the output is the same at GOMAXPROCS=1 (checked by the caller
// running it twice). Used to pick berth's compressor and level.
package main

import (
	"compress/gzip"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
)

type candidate struct {
	name string
	new  func(io.Writer) (io.WriteCloser, error)
}

func main() {
	file := flag.String("file", "", "file to compress")
	flag.Parse()
	if err := run(*file); err != nil {
		fmt.Fprintln(os.Stderr, "compress:", err)
		os.Exit(1)
	}
}

func candidates() []candidate {
	c := []candidate{{"go gzip -6 (berth before)", func(w io.Writer) (io.WriteCloser, error) {
		return gzip.NewWriterLevel(w, 6)
	}}}
	for _, level := range []int{1, 3, 4, 5, 6} {
		c = append(c, candidate{fmt.Sprintf("pgzip -%d, 1 MiB blocks", level), func(w io.Writer) (io.WriteCloser, error) {
			zw, err := pgzip.NewWriterLevel(w, level)
			if err == nil {
				err = zw.SetConcurrency(1<<20, 8)
			}
			return zw, err
		}})
	}
	for _, level := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault} {
		c = append(c, candidate{"zstd " + level.String(), func(w io.Writer) (io.WriteCloser, error) {
			return zstd.NewWriter(w, zstd.WithEncoderLevel(level))
		}})
	}
	return c
}

func run(file string) error {
	start := time.Now()
	out, err := exec.Command("sh", "-c", "gzip -6 -c < \"$1\" | wc -c", "sh", file).Output()
	if err != nil {
		return fmt.Errorf("gzip -6: %w", err)
	}
	base := time.Since(start)
	fmt.Printf("| compressor | time | x gzip -6 | size | sha256 (first 12) |\n|---|---|---|---|---|\n")
	fmt.Printf("| gzip -6 (single-threaded) | %.2fs | 1.00 | %s | |\n", base.Seconds(), trim(out))
	for _, c := range candidates() {
		d, size, sum, err := measure(file, c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		fmt.Printf("| %s | %.2fs | %.2f | %d | %x |\n", c.name, d.Seconds(), d.Seconds()/base.Seconds(), size, sum[:6])
	}
	return nil
}

func trim(b []byte) string { return string(b[:len(b)-1]) }

type countHash struct {
	n int64
	h io.Writer
}

func (c *countHash) Write(p []byte) (int, error) { c.n += int64(len(p)); return c.h.Write(p) }

func measure(file string, c candidate) (time.Duration, int64, []byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, 0, nil, err
	}
	defer f.Close()
	h := sha256.New()
	ch := &countHash{h: h}
	start := time.Now()
	zw, err := c.new(ch)
	if err != nil {
		return 0, 0, nil, err
	}
	if _, err := io.Copy(zw, f); err != nil {
		return 0, 0, nil, err
	}
	if err := zw.Close(); err != nil {
		return 0, 0, nil, err
	}
	return time.Since(start), ch.n, h.Sum(nil), nil
}
