//go:build !darwin

package rootfs

import "io/fs"

// cloneFile is macOS's clonefile; elsewhere copyFile's io.Copy already lets
// the kernel copy (Linux: copy_file_range, which reflinks on btrfs and XFS).
func cloneFile(src, dst string, perm fs.FileMode) bool { return false }
