package main

import (
	"os"
	"runtime/debug"

	"github.com/ami-cli/ami/amiwire"
)

// gcTuner trades the garbage collector's default pacing for a memory limit
// while listen streams events. Every event is a fresh allocation that dies
// as soon as it is written, so the live heap is tiny and the default pacing
// (collect when the heap doubles) runs a collection every few thousand
// events: measured, that made `listen -o json` about 1.6x slower. With the
// collector paced by a limit instead, it runs rarely and peak RSS stays
// about the same. When a backlog builds up (stdout slower than the server),
// the limit rises with it, so a full --buffer never makes the collector run
// back to back. GOGC or GOMEMLIMIT in the environment turn the tuning off.
type gcTuner struct {
	on        bool
	base      int64 // limit with no backlog
	limit     int64 // the limit in force
	prevGC    int
	prevLimit int64
}

// gcBaseLimit is the memory limit with no backlog: about 20 MB of RSS.
const gcBaseLimit = 16 << 20

// gcStep rounds limits so the runtime is not asked to change for every batch.
const gcStep = 4 << 20

func newGCTuner() *gcTuner {
	t := &gcTuner{base: gcBaseLimit}
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return t
	}
	t.on = true
	t.prevGC = debug.SetGCPercent(-1)
	t.prevLimit = debug.SetMemoryLimit(gcBaseLimit)
	t.limit = gcBaseLimit
	return t
}

// batch adjusts the limit to the memory a batch of events just taken from
// the queue holds (twice it: the queue refills while the batch is written).
func (t *gcTuner) batch(events []amiwire.Packet) {
	if !t.on {
		return
	}
	var held int64
	if len(events) > 64 { // small batches: no backlog worth counting
		for i := range events {
			held += int64(len(events[i].Raw) + 32*len(events[i].Fields) + 64)
		}
	}
	want := (t.base + 2*held + gcStep - 1) / gcStep * gcStep
	if want != t.limit {
		t.limit = want
		debug.SetMemoryLimit(want)
	}
}

// restore puts the collector's settings back (in-process tests run many
// commands in one process).
func (t *gcTuner) restore() {
	if t.on {
		debug.SetGCPercent(t.prevGC)
		debug.SetMemoryLimit(t.prevLimit)
		t.on = false
	}
}
