package cargo

import (
	"os/exec"
	"syscall"
	"time"
)

// killGroupOnCancel makes cmd's cancellation kill its whole process group
// (cargo and the rustc, linker and build scripts it started), not only cargo,
// whose children would otherwise keep running and hold the output pipes open,
// and bounds the wait for those pipes so an interrupt stops within a second.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 500 * time.Millisecond
}
