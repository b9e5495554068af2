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
	return stream(s, n, sim.flood.appendEvent)
}

// FloodCalls writes the events of n short calls to session s as fast as
// the socket takes them, in writes of about 256 KiB: each call is the
// answered talk call of the originate-outcomes recording, Newchannel to
// the last Hangup (19 events, about 6.8 KB, no OriginateResponse), with
// uniqueids and channel numbers of its own. Events the session would not
// receive (its event mask, read permission and filters, checked once per
// kind of event) are left out. The calls are not among the simulator's
// channels. It returns when all are written or the session fails.
func (sim *Simulator) FloodCalls(s *amitest.Session, n int) error {
	fc := sim.floodCalls(n)
	fc.wanted(s)
	if len(fc.events) == 0 {
		return nil
	}
	return stream(s, n, fc.appendCall)
}

// callFlood is the template of a flood of calls, with the first numbers
// it may use.
type callFlood struct {
	sc          *script
	events      []*tmplEvent // the talk call's, less OriginateResponse and VarSets
	vals        []string
	epoch       string
	uniq, local int
}

func (sim *Simulator) floodCalls(n int) *callFlood {
	sc := sim.scripts["talk"]
	fc := &callFlood{sc: sc, vals: make([]string, sc.nslots), epoch: strconv.FormatInt(sim.start.Unix(), 10) + "."}
	for i := range sc.events {
		if t := &sc.events[i]; !t.originate && !t.vars {
			fc.events = append(fc.events, t)
		}
	}
	if s, ok := sc.named["len"]; ok {
		fc.vals[s] = "1"
	}
	sim.mu.Lock()
	fc.uniq, fc.local = sim.nextUniq, sim.nextLocal
	sim.nextUniq += len(sc.uids) * n
	sim.nextLocal += len(sc.chans) * n
	sim.mu.Unlock()
	return fc
}

// wanted keeps the events session s receives, judged on the first call's
// bytes.
func (fc *callFlood) wanted(s *amitest.Session) {
	fc.fill(0)
	keep := fc.events[:0]
	for _, t := range fc.events {
		if s.Wants(amitest.NewRawEvent(t.appendTo(nil, fc.vals), t.priv)) {
			keep = append(keep, t)
		}
	}
	fc.events = keep
}

// fill sets the slot values of call i.
func (fc *callFlood) fill(i int) {
	for k, s := range fc.sc.uids {
		fc.vals[s] = fc.epoch + strconv.Itoa(fc.uniq+1+i*len(fc.sc.uids)+k)
	}
	for k, s := range fc.sc.chans {
		fc.vals[s] = localNumber(fc.local + 1 + i*len(fc.sc.chans) + k)
	}
}

func (fc *callFlood) appendCall(dst []byte, i int) []byte {
	fc.fill(i)
	for _, t := range fc.events {
		dst = t.appendTo(dst, fc.vals)
	}
	return dst
}

// stream writes n items, item i appended by add, to session s as fast as
// the socket takes them, in writes of about floodChunk bytes.
func stream(s *amitest.Session, n int, add func(dst []byte, i int) []byte) error {
	// Two buffers take turns: one is filled while the other is written.
	// Before a buffer is filled again, at most one chunk (the other
	// buffer) may still be queued.
	const maxChunk = floodChunk + 16<<10
	bufs := [2][]byte{make([]byte, 0, maxChunk), make([]byte, 0, maxChunk)}
	cur := 0
	buf := bufs[cur][:0]
	for i := 0; i < n; i++ {
		buf = add(buf, i)
		if len(buf) >= floodChunk {
			if err := s.WriteOwned(buf); err != nil {
				return err
			}
			bufs[cur] = buf // keep what append grew
			cur ^= 1
			if err := s.WaitQueued(len(buf)); err != nil {
				return err
			}
			buf = bufs[cur][:0]
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
