//go:build !unix

package main

import "os"

// writerGone cannot tell without poll: a pipe is read as a stream.
func writerGone(*os.File) bool { return false }
