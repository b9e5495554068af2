package amisim

import (
	"bytes"
	"errors"
	"strconv"
	"sync"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// floodChunk is the size of the writes a flood makes.
const floodChunk = 256 << 10

// floodTemplate is the flood-1000 recording's first UserEvent, split
// around its Seq value.
type floodTemplate struct {
	prefix, suffix []byte
	probe          *amitest.EncodedEvent // the Seq 0 event, for eligibility checks
}

func newFloodTemplate() (*floodTemplate, error) {
	ev, err := recording("flood-event.ami")
	if err != nil {
		return nil, err
	}
	i := bytes.Index(ev, []byte("\r\nSeq: 0\r\n"))
	if i < 0 {
		return nil, errors.New("amisim: flood recording has no Seq: 0")
	}
	probe, ok := parseEvent(ev)
	if !ok {
		return nil, errors.New("amisim: flood recording is not an event")
	}
	return &floodTemplate{
		prefix: ev[:i+len("\r\nSeq: ")],
		suffix: ev[i+len("\r\nSeq: 0"):],
		probe:  probe,
	}, nil
}

func (ft *floodTemplate) appendEvent(dst []byte, seq int) []byte {
	dst = append(dst, ft.prefix...)
	dst = strconv.AppendInt(dst, int64(seq), 10)
	return append(dst, ft.suffix...)
}

// AppendFloodEvent appends the wire bytes of flood event number seq (the
// flood-1000 fixture's UserEvent with "Seq: <seq>", about 430 bytes) to
// dst. It is what Simulator.Flood sends, for reference readers and
// benchmarks.
func (sim *Simulator) AppendFloodEvent(dst []byte, seq int) []byte {
	return sim.flood.appendEvent(dst, seq)
}

// Flood writes n flood events (Seq 0..n-1) to session s as fast as the
// socket takes them, in writes of about 256 KiB, bypassing the per-event
// filter checks (the session's eligibility for the event class is the
// caller's business). Answers to the session's actions may land between
// two chunks, never inside an event. It returns when all are written or
// the session fails.
func (sim *Simulator) Flood(s *amitest.Session, n int) error {
	// Two buffers take turns: one is filled while the other is written.
	// Before a buffer is filled again, at most one chunk (the other
	// buffer) may still be queued.
	const maxChunk = floodChunk + 4096
	bufs := [2][]byte{make([]byte, 0, maxChunk), make([]byte, 0, maxChunk)}
	cur := 0
	buf := bufs[cur][:0]
	send := func() error {
		if err := s.WriteOwned(buf); err != nil {
			return err
		}
		cur ^= 1
		if err := s.WaitQueued(maxChunk); err != nil {
			return err
		}
		buf = bufs[cur][:0]
		return nil
	}
	for seq := 0; seq < n; seq++ {
		buf = sim.flood.appendEvent(buf, seq)
		if len(buf) >= floodChunk {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(buf) > 0 {
		if err := s.WriteOwned(buf); err != nil {
			return err
		}
	}
	return s.WaitQueued(0)
}

// FloodAll floods every logged-in session that receives user-class events
// (Flood's rules), all at once, and returns when every flood has ended.
func (sim *Simulator) FloodAll(n int) {
	var wg sync.WaitGroup
	for _, s := range sim.srv.Sessions() {
		if !s.Wants(sim.flood.probe) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sim.Flood(s, n)
		}()
	}
	wg.Wait()
}
