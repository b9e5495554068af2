//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"syscall"
	"unsafe"
)

// echoOff turns off the echo of the terminal fd (keeping line editing and
// Ctrl-C), and returns the function that puts the terminal back as it
// was. term.ReadPassword does the same, but only once it is called: the
// prompt has to appear after echo is off, or a secret typed at once is
// shown.
func echoOff(fd int) (restore func(), err error) {
	var old syscall.Termios
	if err := termios(fd, ioctlGetTermios, &old); err != nil {
		return nil, err
	}
	t := old
	t.Lflag &^= syscall.ECHO
	t.Lflag |= syscall.ICANON | syscall.ISIG
	t.Iflag |= syscall.ICRNL
	if err := termios(fd, ioctlSetTermios, &t); err != nil {
		return nil, err
	}
	return func() { _ = termios(fd, ioctlSetTermios, &old) }, nil
}

// termios reads or sets the termios of the terminal fd.
func termios(fd int, req uintptr, t *syscall.Termios) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(t))); e != 0 {
		return e
	}
	return nil
}
