// Package fanin runs one job per host at once and merges what they write:
// in the order the hosts were given (Ordered), or as it comes, a whole
// write at a time (Shared). It knows nothing of AMI or of output formats.
package fanin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sync"
)

// Run calls job(ctx, i, loggedIn) for every i in [0, n), each in its own
// goroutine, and returns their errors by index once all have returned.
// At most parallel jobs are logging in at a time: a job holds one of the
// parallel slots from its start until it calls loggedIn (or returns), so
// a job that streams for long holds none. A job waiting for a slot when
// ctx ends is not started; its error is ctx's.
func Run(ctx context.Context, n, parallel int, job func(ctx context.Context, i int, loggedIn func()) error) []error {
	errs := make([]error, n)
	slots := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				errs[i] = context.Cause(ctx)
				return
			}
			var once sync.Once
			release := func() { once.Do(func() { <-slots }) }
			defer release()
			if ctx.Err() != nil { // a slot and the end may come at once
				errs[i] = context.Cause(ctx)
				return
			}
			errs[i] = job(ctx, i, release)
		}()
	}
	wg.Wait()
	return errs
}

// Ordered merges the output of n writers into one in index order: what
// writer i writes goes straight through while writers 0 to i-1 are done,
// and is held until then otherwise. So the first host streams, and each
// later one appears whole as soon as those before it are done. A writer
// holds up to SpillAt bytes in memory, the rest in a temporary file
// (removed at once, so nothing is left behind), so that memory stays
// bounded however much the later writers write.
type Ordered struct {
	mu      sync.Mutex
	out     io.Writer
	cur     int // the writer whose output goes straight through
	held    []spool
	done    []bool
	err     error // the first error of out, or of a spool file
	writers []orderedWriter
}

// SpillAt is how much a writer of an Ordered holds in memory before the
// rest goes to a temporary file.
const SpillAt = 1 << 20

// spool is what one writer holds: bytes in memory, then in a file.
type spool struct {
	mem  bytes.Buffer
	file *os.File
}

func (s *spool) write(p []byte) (int, error) {
	if s.file == nil && s.mem.Len()+len(p) <= SpillAt {
		return s.mem.Write(p)
	}
	if s.file == nil {
		f, err := os.CreateTemp("", "ami-held-*")
		if err != nil {
			return 0, fmt.Errorf("holding a host's output: %w", err)
		}
		os.Remove(f.Name()) // the open file stays readable; nothing is left behind
		s.file = f
	}
	return s.file.Write(p)
}

// drain writes what s holds to out and forgets it.
func (s *spool) drain(out io.Writer) error {
	defer s.close()
	if _, err := out.Write(s.mem.Bytes()); err != nil {
		return err
	}
	if s.file == nil {
		return nil
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reading a host's held output: %w", err)
	}
	_, err := io.Copy(out, s.file)
	return err
}

func (s *spool) close() {
	s.mem = bytes.Buffer{}
	if s.file != nil {
		s.file.Close()
		s.file = nil
	}
}

// NewOrdered returns an Ordered of n writers over out.
func NewOrdered(out io.Writer, n int) *Ordered {
	o := &Ordered{out: out, held: make([]spool, n), done: make([]bool, n), writers: make([]orderedWriter, n)}
	for i := range o.writers {
		o.writers[i] = orderedWriter{o: o, i: i}
	}
	return o
}

// Writer returns writer i. Its Write returns out's error once out has
// failed (a closed pipe, say), for every writer.
func (o *Ordered) Writer(i int) io.Writer { return &o.writers[i] }

// Done says that writer i will write no more; once the writers before it
// are done too, what it holds is written out and the next writer's
// output goes straight through. It returns out's first error.
func (o *Ordered) Done(i int) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done[i] = true
	for o.cur < len(o.done) && o.done[o.cur] {
		o.cur++
		if o.cur < len(o.held) {
			o.drain(o.cur)
		}
	}
	if o.err != nil { // what is held will not be written: let its files go
		for j := range o.held {
			o.held[j].close()
		}
	}
	return o.err
}

// drain writes out what writer i holds (o.mu held).
func (o *Ordered) drain(i int) {
	if o.err != nil {
		o.held[i].close()
		return
	}
	o.err = o.held[i].drain(o.out)
}

type orderedWriter struct {
	o *Ordered
	i int
}

func (w *orderedWriter) Write(p []byte) (int, error) {
	o := w.o
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return 0, o.err
	}
	if w.i == o.cur {
		n, err := o.out.Write(p)
		o.err = err
		return n, err
	}
	return o.held[w.i].write(p)
}

// Shared lets several writers write to one io.Writer, one whole Write
// at a time: writers that write whole packets per Write interleave at
// packet boundaries.
type Shared struct {
	mu  sync.Mutex
	out io.Writer
}

// NewShared returns a Shared over out.
func NewShared(out io.Writer) *Shared { return &Shared{out: out} }

// Write writes p to out while no other Write does.
func (s *Shared) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

// Worst returns the code of codes that ranks first in rank (most serious
// first); a code not in rank ranks after all those in it, and 0 when
// codes is empty or all are 0.
func Worst(rank []int, codes []int) int {
	worst, at := 0, len(rank)+1
	for _, c := range codes {
		if c == 0 {
			continue
		}
		r := len(rank)
		for j, k := range rank {
			if k == c {
				r = j
				break
			}
		}
		if r < at {
			worst, at = c, r
		}
	}
	return worst
}
