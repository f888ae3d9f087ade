package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// gitSource is the git commit a project directory is at; the zero value
// when it is in no git work tree (or git is missing).
type gitSource struct {
	Root   string // the work tree's top directory
	URL    string // remote origin's URL, "" without one
	Commit string
	Clean  bool // no uncommitted change to a tracked file
}

// revision is the commit when the tree is clean, else "": a dirty tree's
// commit would name code the image does not hold.
func (g gitSource) revision() string {
	if !g.Clean {
		return ""
	}
	return g.Commit
}

// lookGit runs git in dir: this file is the only place berth runs git.
func lookGit(ctx context.Context, dir string) gitSource {
	out, err := git(ctx, dir, "rev-parse", "--show-toplevel", "HEAD")
	lines := strings.Fields(out)
	if err != nil || len(lines) != 2 {
		return gitSource{}
	}
	g := gitSource{Root: lines[0], Commit: lines[1]}
	status, err := git(ctx, dir, "status", "--porcelain", "--untracked-files=no")
	g.Clean = err == nil && strings.TrimSpace(status) == ""
	if url, err := git(ctx, dir, "config", "--get", "remote.origin.url"); err == nil {
		g.URL = strings.TrimSpace(url)
	}
	return g
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// Checkout makes dest a new work tree of repo's commit, sharing repo's
// objects (git clone --shared: repo is not changed). An unknown commit is
// an InputError.
func Checkout(ctx context.Context, repo, commit, dest string) error {
	if _, err := git(ctx, repo, "cat-file", "-e", commit+"^{commit}"); err != nil {
		return inputf("commit %s is not in the repository %s (%v): fetch it, or give the repository that has it with --source", commit, repo, err)
	}
	top, err := git(ctx, repo, "rev-parse", "--show-toplevel")
	if err != nil {
		return inputf("%s is not a git repository: %v", repo, err)
	}
	if _, err := git(ctx, repo, "clone", "-q", "--shared", "--no-checkout", strings.TrimSpace(top), dest); err != nil {
		return fmt.Errorf("checking out %s: %w", commit, err)
	}
	if _, err := git(ctx, dest, "checkout", "-q", "--detach", commit); err != nil {
		return fmt.Errorf("checking out %s: %w", commit, err)
	}
	return nil
}
