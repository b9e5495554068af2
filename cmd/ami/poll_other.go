//go:build !unix

package main

import (
	"context"
	"os"
)

// writerGone cannot tell without poll: a pipe is read as a stream.
func writerGone(*os.File) bool { return false }

// watchHangup cannot watch without poll: a closed stdout is noticed at the
// next write.
func watchHangup(ctx context.Context, _ *os.File) (context.Context, func()) { return ctx, func() {} }
