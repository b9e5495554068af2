package main

import (
	"sync"
	"time"
)

// stopGrace is how long a command that has been told to stop (SIGINT,
// SIGTERM, --duration, a failure) gives its output to finish before it
// exits anyway.
const stopGrace = time.Second

// outputDone is closed by a command once it writes no more to stdout
// (logging off may still take a moment).
type outputDone struct {
	once sync.Once
	ch   chan struct{}
}

func newOutputDone() *outputDone { return &outputDone{ch: make(chan struct{})} }

// close says that stdout is done with. It may be called more than once.
func (d *outputDone) close() { d.once.Do(func() { close(d.ch) }) }

// untilStopped runs work in a goroutine of its own and returns its result.
// Once stop is closed, work has stopGrace to be done with its output
// (out): it notices the stop within a batch and ends at a packet
// boundary, but a write to stdout that is stuck on a reader that takes
// nothing (a stalled pipe) cannot be interrupted. If it is not done by
// then, untilStopped returns what abandon returns and leaves work behind,
// still stuck: the process exits right after, which ends the write (only
// then may the last packet be cut). abandon runs in untilStopped's
// goroutine; it logs off, where it can, and says on stderr that the output
// was cut short. Once out is done, work's logging off is bounded by its
// own timeout.
//
// The hot path inside work is untouched: the stop is looked at once in a
// while (a few dozen packets), not per packet.
func untilStopped(stop <-chan struct{}, out *outputDone, work func() error, abandon func() error) error {
	done := make(chan error, 1)
	go func() { done <- work() }()
	select {
	case err := <-done:
		return err
	case <-stop:
	}
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-out.ch:
		return <-done
	case <-t.C:
	}
	select { // out may have been done just as the grace ran out
	case <-out.ch:
		return <-done
	default:
	}
	return abandon()
}
