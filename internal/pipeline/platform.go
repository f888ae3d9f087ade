package pipeline

import (
	debugelf "debug/elf"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Platform is the OCI platform an ELF machine and class run on.
func Platform(m debugelf.Machine, c debugelf.Class) (v1.Platform, error) {
	p := v1.Platform{OS: "linux"}
	switch {
	case m == debugelf.EM_X86_64 && c == debugelf.ELFCLASS64:
		p.Architecture = "amd64"
	case m == debugelf.EM_AARCH64:
		p.Architecture = "arm64"
	case m == debugelf.EM_386:
		p.Architecture = "386"
	case m == debugelf.EM_ARM:
		p.Architecture, p.Variant = "arm", "v7"
	case m == debugelf.EM_RISCV && c == debugelf.ELFCLASS64:
		p.Architecture = "riscv64"
	case m == debugelf.EM_PPC64:
		p.Architecture = "ppc64le"
	case m == debugelf.EM_S390:
		p.Architecture = "s390x"
	default:
		return p, fmt.Errorf("no container platform for ELF machine %v (%v)", m, c)
	}
	return p, nil
}
