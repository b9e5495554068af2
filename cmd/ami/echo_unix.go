//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// echoOff turns off the echo of the terminal fd (keeping line editing and
// Ctrl-C), and returns the function that puts the terminal back as it
// was. term.ReadPassword does the same, but only once it is called: the
// prompt has to appear after echo is off, or a secret typed at once is
// shown. (And a ReadPassword still starting after an interrupted prompt
// would turn echo off again, for good.)
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

// maxSecretLine is the longest secret line read from a terminal.
const maxSecretLine = 64 << 10

// readSecretLine reads one line from the terminal f, whose echo is off and
// which is in canonical mode (the terminal does the line editing), and
// returns it without its line end.
func readSecretLine(f *os.File) ([]byte, error) {
	var line []byte
	buf := make([]byte, 1024)
	for len(line) < maxSecretLine {
		n, err := f.Read(buf)
		line = append(line, buf[:n]...)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			return bytes.TrimSuffix(line[:i], []byte{'\r'}), nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return line, nil
			}
			return nil, err
		}
	}
	return nil, errors.New("line too long")
}
