// Package report is what the benchmarks share: a markdown table of
// measurements against goals, medians, and the repository's root.
package report

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Row is one measurement: berth's value, the baseline's, their ratio and
// the goal it is held to.
type Row struct {
	What, Berth, Baseline, Ratio, Goal string
	OK                                 bool
}

// Print writes rows as a markdown table whose berth and baseline columns
// carry the given headings, and returns an error naming the first missed goal.
func Print(berth, baseline string, rows []Row) error {
	fmt.Printf("| measurement | %s | %s | ratio | goal | met |\n", berth, baseline)
	fmt.Println("|---|---|---|---|---|---|")
	var missed error
	for _, r := range rows {
		met := "yes"
		if !r.OK {
			met = "NO"
			if missed == nil {
				missed = fmt.Errorf("goal missed: %s", r.What)
			}
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s |\n", r.What, r.Berth, r.Baseline, r.Ratio, r.Goal, met)
	}
	return missed
}

// Median of ds (the upper one for an even count).
func Median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// Secs formats d as seconds with two decimals.
func Secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// Millis formats a duration in milliseconds.
func Millis(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

// RepoRoot is the directory of the go.mod the benchmark runs in.
func RepoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("finding the repository: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run from inside the berth repository")
	}
	return filepath.Dir(mod), nil
}

// Line makes a Row.
func Line(what, berth, baseline, ratio, goal string, ok bool) Row {
	return Row{What: what, Berth: berth, Baseline: baseline, Ratio: ratio, Goal: goal, OK: ok}
}
