package stamp

import (
	"syscall"
	"time"
)

// ctime is the status-change time of st (Linux spells it Ctim).
func ctime(st *syscall.Stat_t) time.Time { return time.Unix(st.Ctim.Sec, st.Ctim.Nsec) }
