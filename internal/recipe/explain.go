package recipe

// Explain returns, one line each, why recipe b differs from recipe a: which
// file, which key or locked package, which target. No lines means equal.
func Explain(a, b *Recipe) []string {
	return nil
}
