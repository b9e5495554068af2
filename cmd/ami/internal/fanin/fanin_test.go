package fanin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ami-cli/ami/cmd/ami/internal/fanin"
)

// TestOrdered: output appears in writer order whatever order the writers
// write and finish in; the first writer's output goes straight through.
func TestOrdered(t *testing.T) {
	var out bytes.Buffer
	o := fanin.NewOrdered(&out, 3)
	fmt.Fprint(o.Writer(2), "c1 ")
	fmt.Fprint(o.Writer(0), "a1 ")
	if out.String() != "a1 " {
		t.Fatalf("writer 0 is held: %q", out.String())
	}
	fmt.Fprint(o.Writer(1), "b1 ")
	if err := o.Done(2); err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(o.Writer(0), "a2 ")
	if out.String() != "a1 a2 " {
		t.Fatalf("got %q", out.String())
	}
	o.Done(0)
	if out.String() != "a1 a2 b1 " {
		t.Fatalf("writer 1's held output not written when 0 is done: %q", out.String())
	}
	fmt.Fprint(o.Writer(1), "b2 ")
	if out.String() != "a1 a2 b1 b2 " {
		t.Fatalf("writer 1 is held after 0 is done: %q", out.String())
	}
	o.Done(1)
	if want := "a1 a2 b1 b2 c1 "; out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// TestOrderedError: out's error reaches every writer and Done.
func TestOrderedError(t *testing.T) {
	boom := errors.New("boom")
	o := fanin.NewOrdered(failWriter{boom}, 2)
	if _, err := o.Writer(1).Write([]byte("x")); err != nil {
		t.Fatalf("held write failed: %v", err)
	}
	if _, err := o.Writer(0).Write([]byte("x")); !errors.Is(err, boom) {
		t.Fatalf("write error %v", err)
	}
	if _, err := o.Writer(1).Write([]byte("x")); !errors.Is(err, boom) {
		t.Fatalf("later write error %v", err)
	}
	if err := o.Done(0); !errors.Is(err, boom) {
		t.Fatalf("Done error %v", err)
	}
}

// TestOrderedConcurrent: many writers at once (run with -race) keep
// each writer's bytes together and in writer order.
func TestOrderedConcurrent(t *testing.T) {
	const n, lines = 8, 200
	var out bytes.Buffer
	o := fanin.NewOrdered(&out, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range lines {
				fmt.Fprintf(o.Writer(i), "%d %d\n", i, j)
			}
			o.Done(i)
		}()
	}
	wg.Wait()
	var want strings.Builder
	for i := range n {
		for j := range lines {
			fmt.Fprintf(&want, "%d %d\n", i, j)
		}
	}
	if out.String() != want.String() {
		t.Fatal("output out of order")
	}
}

// TestRunParallel: no more than parallel jobs are logging in at once,
// a job that has logged in frees its slot while it goes on, and every
// job runs.
func TestRunParallel(t *testing.T) {
	const n, parallel = 10, 3
	var inLogin, most atomic.Int32
	allIn := make(chan struct{})
	var started atomic.Int32
	errs := fanin.Run(context.Background(), n, parallel, func(ctx context.Context, i int, loggedIn func()) error {
		now := inLogin.Add(1)
		for {
			m := most.Load()
			if now <= m || most.CompareAndSwap(m, now) {
				break
			}
		}
		inLogin.Add(-1)
		loggedIn()
		loggedIn() // twice is harmless
		if started.Add(1) == n {
			close(allIn)
		}
		// Every job streams until all have logged in: with slots held
		// while streaming, the fourth could never start.
		select {
		case <-allIn:
		case <-time.After(10 * time.Second):
			return errors.New("stuck")
		}
		if i%2 == 1 {
			return fmt.Errorf("job %d", i)
		}
		return nil
	})
	if most.Load() > parallel {
		t.Fatalf("%d logins at once, want at most %d", most.Load(), parallel)
	}
	for i, err := range errs {
		if (err != nil) != (i%2 == 1) || err != nil && err.Error() != fmt.Sprintf("job %d", i) {
			t.Fatalf("errs[%d] = %v", i, err)
		}
	}
}

// TestRunCancelled: jobs waiting for a slot when ctx ends do not start.
func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int32
	errs := fanin.Run(ctx, 4, 1, func(ctx context.Context, i int, loggedIn func()) error {
		ran.Add(1)
		cancel() // the others wait for this slot, which is never freed early
		<-ctx.Done()
		return ctx.Err()
	})
	if ran.Load() != 1 {
		t.Fatalf("%d jobs ran, want 1", ran.Load())
	}
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("errs[%d] = %v", i, err)
		}
	}
}

func TestWorst(t *testing.T) {
	rank := []int{130, 3, 4, 2, 1}
	for _, tc := range []struct {
		codes []int
		want  int
	}{
		{nil, 0},
		{[]int{0, 0}, 0},
		{[]int{1, 0, 4}, 4},
		{[]int{4, 3, 1}, 3},
		{[]int{1, 3, 130, 4}, 130},
		{[]int{1, 2}, 2},
		{[]int{1, 9}, 1},
		{[]int{9}, 9},
	} {
		if got := fanin.Worst(rank, tc.codes); got != tc.want {
			t.Errorf("Worst(%v) = %d, want %d", tc.codes, got, tc.want)
		}
	}
}

// TestShared: writes from many goroutines stay whole.
func TestShared(t *testing.T) {
	var out bytes.Buffer
	s := fanin.NewShared(&out)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			line := []byte(strings.Repeat(string(rune('a'+i)), 100) + "\n")
			for range 100 {
				s.Write(line)
			}
		}()
	}
	wg.Wait()
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if len(l) != 100 || strings.Count(l, l[:1]) != 100 {
			t.Fatalf("torn line %q", l)
		}
	}
}

// TestOrderedSpills: a writer that is held writes more than SpillAt;
// all of it comes out, in order, once the writers before it are done.
func TestOrderedSpills(t *testing.T) {
	var out bytes.Buffer
	o := fanin.NewOrdered(&out, 2)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	var want bytes.Buffer
	want.WriteString("first\n")
	fmt.Fprint(o.Writer(0), "first\n")
	for i := 0; i < 3*fanin.SpillAt/len(chunk); i++ {
		chunk[0] = byte('A' + i%26)
		if _, err := o.Writer(1).Write(chunk); err != nil {
			t.Fatal(err)
		}
		want.Write(chunk)
	}
	if out.Len() != len("first\n") {
		t.Fatalf("held output written early: %d bytes", out.Len())
	}
	o.Done(1)
	if err := o.Done(0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want.Bytes()) {
		t.Fatalf("got %d bytes, want %d (or in another order)", out.Len(), want.Len())
	}
}
