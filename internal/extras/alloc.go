package extras

import (
	"fmt"
	"strings"
)

// allocators are global allocator crates that replace musl's.
var allocators = []string{"mimalloc", "jemalloc", "snmalloc", "rpmalloc", "tcmalloc"}

// MuslAllocator is the warning for a static binary of a musl target
// (triple), "" when none is due: not musl, or a global allocator crate is
// already in the crate list.
func MuslAllocator(triple string, crates []string) string {
	if !strings.Contains(triple, "-musl") {
		return ""
	}
	for _, c := range crates {
		for _, a := range allocators {
			if strings.Contains(c, a) {
				return ""
			}
		}
	}
	return fmt.Sprintf("%s links musl, whose allocator is slow under threads: add a global allocator crate such as mimalloc or tikv-jemallocator (#[global_allocator]) to a multi-threaded service", triple)
}
