package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/debuginfo"
	"github.com/berth-dev/berth/internal/image"
)

// splitting reports whether the plan splits the binary's debug
// information out.
func (p *Plan) splitting() bool {
	return p.cfg.SplitDebuginfo != nil && *p.cfg.SplitDebuginfo
}

// checkDebugInfo checks, before cargo runs, that split-debuginfo can run
// (objcopy is there) and that --debuginfo-out has it and is a directory.
func checkDebugInfo(split bool, from, out string) error {
	if !split {
		if out != "" {
			return inputf("--debuginfo-out %s writes the debug file --split-debuginfo keeps out of the image: give --split-debuginfo too (or split-debuginfo = true)", out)
		}
		return nil
	}
	if err := debuginfo.Check(); err != nil {
		return inputf("split-debuginfo (from %s): %v", from, err)
	}
	if out == "" {
		return nil
	}
	if info, err := os.Stat(out); err == nil && !info.IsDir() {
		return inputf("--debuginfo-out %s exists and is not a directory: give a directory (debug files go to .build-id/xx/yyyy.debug under it)", out)
	}
	return nil
}

// splitDebug splits exe into a stripped copy, which the image ships, and
// its debug file, both under a directory of the build's own (p.splitDir).
func (p *Plan) splitDebug(ctx context.Context, exe string, n int) (string, *debuginfo.Result, error) {
	if !p.splitting() {
		return exe, nil, nil
	}
	r, err := debuginfo.Split(ctx, exe, filepath.Join(p.splitDir, strconv.Itoa(n)))
	if err != nil {
		return "", nil, fmt.Errorf("splitting the debug information of %s: %w", exe, err)
	}
	return r.Stripped, r, nil
}

// debugAttachment is the debug file as an attachment of its image.
func (p *Plan) debugAttachment(r *debuginfo.Result) (image.Attachment, error) {
	data, err := os.ReadFile(r.Debug)
	if err != nil {
		return image.Attachment{}, fmt.Errorf("reading the debug file: %w", err)
	}
	return image.Attachment{
		ArtifactType: image.DebugInfoType, Data: data, Created: p.epoch,
		Annotations: map[string]string{image.BuildIDAnnotation: r.BuildID},
	}, nil
}

// writeDebugFiles writes each image's debug file under dir, at
// .build-id/xx/yyyy.debug (where gdb's debug-file-directory and debuginfod
// look), each atomically.
func writeDebugFiles(ctx context.Context, dir string, art *image.Artifact) error {
	for _, img := range art.Images {
		for _, a := range img.Attachments {
			if a.ArtifactType != image.DebugInfoType {
				continue
			}
			if _, err := SaveDebugFile(ctx, dir, a.Annotations[image.BuildIDAnnotation], a.Data); err != nil {
				return err
			}
		}
	}
	return nil
}

// SaveDebugFile writes the debug file data under dir at the place its own
// build-id names (read from the ELF file, never from a path or a label
// that came with it), and returns that path. A file whose build-id differs
// from the one its artifact announced (annotated, "" for none) is refused.
func SaveDebugFile(ctx context.Context, dir, annotated string, data []byte) (string, error) {
	id, err := debuginfo.BuildIDOf(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("the debug file: %w", err)
	}
	if annotated != "" && annotated != id {
		return "", fmt.Errorf("the debug file's build-id is %s, but its artifact announces %s: it is not the file it claims to be", id, annotated)
	}
	rel := filepath.FromSlash(debuginfo.Path(id))
	if err := noLinkUnder(dir, rel); err != nil {
		return "", err
	}
	p := filepath.Join(dir, rel)
	err = atomicfile.WriteFile(ctx, p, func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("writing the debug file %s: %w", p, err)
	}
	return p, nil
}

// noLinkUnder refuses to write rel under dir through a symbolic link
// (.build-id or its subdirectory pointing elsewhere), or over anything but
// a regular file: a debug file lands in the directory the user named.
func noLinkUnder(dir, rel string) error {
	p := dir
	parts := strings.Split(rel, string(filepath.Separator))
	for i, part := range parts {
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return fmt.Errorf("checking %s: %w", p, err)
		case fi.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s is a symbolic link: berth writes debug files only inside %s, never through a link; remove it or choose another directory", p, dir)
		case i < len(parts)-1 && !fi.IsDir(), i == len(parts)-1 && !fi.Mode().IsRegular():
			return fmt.Errorf("%s is in the way of a debug file (%s): move it, or choose another directory", p, fi.Mode().Type())
		}
	}
	return nil
}
