//go:build !linux && !darwin

package atomicfile

// exchange replaces dir by tmp; on return tmp names the old directory.
func exchange(tmp, dir string) error { return swapAside(tmp, dir) }
