package elf

import (
	"debug/elf"
	"os"
	"path"
)

// multiarchTuple is the Debian multiarch directory name for a machine, "" when
// unknown (then only the generic directories are searched).
func multiarchTuple(m elf.Machine, c elf.Class) string {
	switch m {
	case elf.EM_X86_64:
		if c == elf.ELFCLASS32 {
			return "x86_64-linux-gnux32"
		}
		return "x86_64-linux-gnu"
	case elf.EM_386:
		return "i386-linux-gnu"
	case elf.EM_AARCH64:
		return "aarch64-linux-gnu"
	case elf.EM_ARM:
		return "arm-linux-gnueabihf"
	case elf.EM_RISCV:
		return "riscv64-linux-gnu"
	case elf.EM_PPC64:
		return "powerpc64le-linux-gnu"
	case elf.EM_S390:
		return "s390x-linux-gnu"
	case elf.EM_LOONGARCH:
		return "loongarch64-linux-gnu"
	}
	return ""
}

// platformName is the baseline value of $PLATFORM (AT_PLATFORM). The kernel
// may report a CPU-specific value (glibc says "haswell" on such x86-64 CPUs),
// so paths using $PLATFORM get a warning.
func platformName(m elf.Machine) string {
	switch m {
	case elf.EM_X86_64:
		return "x86_64"
	case elf.EM_386:
		return "i686"
	case elf.EM_AARCH64:
		return "aarch64"
	case elf.EM_ARM:
		return "v7l"
	case elf.EM_RISCV:
		return "riscv64"
	case elf.EM_PPC64:
		return "ppc64le"
	case elf.EM_S390:
		return "s390x"
	}
	return "unknown"
}

// libDirName is the value of $LIB: Debian's glibc uses lib/<tuple>, Fedora
// style systems lib64 for 64-bit objects, everything else lib. The sysroot's
// layout decides which one applies.
func libDirName(root string, m elf.Machine, c elf.Class) string {
	if t := multiarchTuple(m, c); t != "" && isDir(hostPath(root, "/lib/"+t)) {
		return "lib/" + t
	}
	if c == elf.ELFCLASS64 && isDir(hostPath(root, "/lib64")) {
		return "lib64"
	}
	return "lib"
}

// defaultDirs are the trusted directories ld.so searches last.
func defaultDirs(m elf.Machine, c elf.Class) []string {
	var dirs []string
	if t := multiarchTuple(m, c); t != "" {
		dirs = append(dirs, "/lib/"+t, "/usr/lib/"+t)
	}
	if c == elf.ELFCLASS64 {
		dirs = append(dirs, "/lib64", "/usr/lib64")
	}
	return append(dirs, "/lib", "/usr/lib")
}

// multiarchTuples are the multiarch directory names multiarchTuple knows.
var multiarchTuples = map[string]bool{
	"x86_64-linux-gnu": true, "x86_64-linux-gnux32": true, "i386-linux-gnu": true,
	"aarch64-linux-gnu": true, "arm-linux-gnueabihf": true, "riscv64-linux-gnu": true,
	"powerpc64le-linux-gnu": true, "s390x-linux-gnu": true, "loongarch64-linux-gnu": true,
}

// otherMultiarch reports whether dir is another architecture's multiarch
// directory (/usr/lib/aarch64-linux-gnu for an x86-64 binary): with foreign
// architectures installed, ld.so.conf lists them and ld.so skips their
// libraries as a matter of course, so that is no news worth a warning.
func (r *resolver) otherMultiarch(dir string) bool {
	base := path.Base(dir)
	return multiarchTuples[base] && base != multiarchTuple(r.machine, r.class)
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
