// Package elf computes the runtime closure of a Linux ELF binary (interpreter,
// shared libraries found the way glibc's ld.so finds them, symlinks kept, and the
// NSS needs of static glibc) so that an image can ship exactly those files.
package elf
