//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// tryFlock takes an flock on f without waiting: errLocked if another
// process holds a conflicting one.
func tryFlock(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errLocked
		}
		return err
	}
}

// processExists reports whether a process with this pid exists (EPERM: it
// exists but belongs to another user).
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
