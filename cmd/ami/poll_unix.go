//go:build unix

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// writerGone reports whether f (stdin) is a pipe or socket whose writing
// end is closed already: poll reports a hang-up at once. What is left in
// it can then be read to the end without waiting.
func writerGone(f *os.File) bool {
	fd, ok := rawFd(f)
	if !ok {
		return false
	}
	fds := []unix.PollFd{{Fd: fd, Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n == 1 && fds[0].Revents&unix.POLLHUP != 0
}

// rawFd returns f's descriptor without File.Fd's side effect of putting
// it in blocking mode.
func rawFd(f *os.File) (int32, bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, false
	}
	var fd int32
	if rc.Control(func(u uintptr) { fd = int32(u) }) != nil {
		return 0, false
	}
	return fd, true
}
