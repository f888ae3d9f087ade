//go:build darwin || freebsd || netbsd

package stamp

import (
	"syscall"
	"time"
)

// ctime is the status-change time of st: BSD stat spells it Ctimespec, with
// the same meaning as Linux's st_ctim (set by the kernel on every write,
// rename or chmod, never by a program).
func ctime(st *syscall.Stat_t) time.Time { return time.Unix(st.Ctimespec.Sec, st.Ctimespec.Nsec) }
