package backoff_test

import (
	"context"
	"testing"
	"time"

	"github.com/ami-cli/ami/cmd/ami/internal/backoff"
)

// TestNext: each delay lies between half of its step and the step; the
// steps double from Min up to Max and stay there.
func TestNext(t *testing.T) {
	b := backoff.Backoff{Min: 100 * time.Millisecond, Max: time.Second, Reset: 10 * time.Second}
	steps := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000}
	for round := range 200 { // the delays are random: try many draws
		b := b
		for i, ms := range steps {
			step := ms * time.Millisecond
			if d := b.Next(); d < step/2 || d > step {
				t.Fatalf("round %d, attempt %d: delay %v, want within [%v, %v]", round, i, d, step/2, step)
			}
		}
	}
}

// TestLived: a connection that lived Reset or longer starts the steps
// again from Min; a shorter one does not, nor does any with Reset 0.
func TestLived(t *testing.T) {
	for _, tc := range []struct {
		reset, lived time.Duration
		fromMin      bool
	}{
		{10 * time.Second, 10 * time.Second, true},
		{10 * time.Second, time.Minute, true},
		{10 * time.Second, 9 * time.Second, false},
		{0, time.Hour, false},
	} {
		b := backoff.Backoff{Min: 100 * time.Millisecond, Max: 30 * time.Second, Reset: tc.reset}
		for range 5 {
			b.Next() // the step is 3.2s now
		}
		b.Lived(tc.lived)
		d := b.Next()
		if got := d <= 100*time.Millisecond; got != tc.fromMin {
			t.Errorf("Reset %v, lived %v: next delay %v; from Min = %v, want %v", tc.reset, tc.lived, d, got, tc.fromMin)
		}
	}
}

// TestOddSettings: a zero or negative Min still gives delays, and a Max
// below Min caps at Min; nothing panics.
func TestOddSettings(t *testing.T) {
	for _, b := range []backoff.Backoff{{}, {Min: -time.Second}, {Min: time.Second, Max: time.Millisecond}, {Min: 1, Max: 1}} {
		lo, hi := max(b.Min, 1)/2, max(b.Min, 1)
		for i := range 5 {
			if d := b.Next(); d < lo || d > hi {
				t.Errorf("%+v attempt %d: delay %v, want within [%v, %v]", b, i, d, lo, hi)
			}
		}
	}
}

func TestWait(t *testing.T) {
	if !backoff.Wait(context.Background(), time.Millisecond) {
		t.Error("Wait with a live context: false")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan bool, 1)
	go func() { done <- backoff.Wait(ctx, time.Hour) }()
	select {
	case ok := <-done:
		if ok {
			t.Error("Wait with an ended context: true")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return when its context had ended")
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{20 * time.Millisecond, "20ms"},
		{1500 * time.Microsecond, "2ms"},
		{100 * time.Millisecond, "0.1s"},
		{1234 * time.Millisecond, "1.2s"},
		{30 * time.Second, "30.0s"},
	} {
		if got := backoff.Format(tc.d); got != tc.want {
			t.Errorf("Format(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
