// Package fanin runs one job per host at once and merges what they write:
// in the order the hosts were given (Ordered), or as it comes, a whole
// write at a time (Shared). It knows nothing of AMI or of output formats.
package fanin

import (
	"bytes"
	"context"
	"io"
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
// later one appears whole as soon as those before it are done. Held
// output is kept in memory.
type Ordered struct {
	mu      sync.Mutex
	out     io.Writer
	cur     int // the writer whose output goes straight through
	held    []bytes.Buffer
	done    []bool
	err     error // the first error of out
	writers []orderedWriter
}

// NewOrdered returns an Ordered of n writers over out.
func NewOrdered(out io.Writer, n int) *Ordered {
	o := &Ordered{out: out, held: make([]bytes.Buffer, n), done: make([]bool, n), writers: make([]orderedWriter, n)}
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
	return o.err
}

// drain writes out what writer i holds (o.mu held).
func (o *Ordered) drain(i int) {
	b := &o.held[i]
	if b.Len() > 0 && o.err == nil {
		_, o.err = o.out.Write(b.Bytes())
	}
	*b = bytes.Buffer{}
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
	return o.held[w.i].Write(p)
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
