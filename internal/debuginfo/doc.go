// Package debuginfo splits a binary's debug information into a separate
// ELF file linked by GNU build-id, as gdb and debuginfod read it, with
// binutils' objcopy.
package debuginfo
