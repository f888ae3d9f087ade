// Package prepare benchmarks `cargo berth prepare` on a generated 300-member workspace (goal: at most 200 ms per run).
package prepare
