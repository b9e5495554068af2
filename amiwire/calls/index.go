package calls

import (
	"strconv"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// Summary is what an Index knows of one call of a capture: enough to
// recognise it ("the call from 100 to 200 at ten past three") and to ask
// for its trace by Linkedid. Its fields are the Summary's own: they stay
// valid.
type Summary struct {
	Host     string
	Linkedid string
	// OtherLinkedids are further Linkedids of the call (see
	// Call.OtherLinkedids).
	OtherLinkedids []string
	// Start and End are the call's start and end times (zero when unknown
	// or, for End, when the capture stopped before the call ended).
	Start, End time.Time
	Caller     Party
	Callee     Party
	// Channels names the call's channels in the order they were first
	// seen (a renamed channel under each of its names).
	Channels []string
	// Events counts the packets of the capture that belong to the call.
	Events int
	// Ended reports whether the call ended within the capture; State is
	// its last state.
	Ended bool
	State State
}

// Packet returns the summary as a packet: "@host" when known, then
// Linkedid, StartTime, EndTime (those known), CallerNum, CallerName,
// CalleeNum, CalleeName, State, Events, one OtherLinkedid per further
// Linkedid and one Channel per channel.
func (s *Summary) Packet() amiwire.Packet {
	f := make([]amiwire.Field, 0, 12+len(s.OtherLinkedids)+len(s.Channels))
	if s.Host != "" {
		f = append(f, amiwire.Field{Key: KeyHost, Value: s.Host})
	}
	f = append(f, amiwire.Field{Key: "Linkedid", Value: s.Linkedid})
	if !s.Start.IsZero() {
		f = append(f, amiwire.Field{Key: "StartTime", Value: s.Start.Format(timeLayout)})
	}
	if !s.End.IsZero() {
		f = append(f, amiwire.Field{Key: "EndTime", Value: s.End.Format(timeLayout)})
	}
	f = append(f,
		amiwire.Field{Key: "CallerNum", Value: s.Caller.Num},
		amiwire.Field{Key: "CallerName", Value: s.Caller.Name},
		amiwire.Field{Key: "CalleeNum", Value: s.Callee.Num},
		amiwire.Field{Key: "CalleeName", Value: s.Callee.Name},
		amiwire.Field{Key: "State", Value: string(s.State)},
		amiwire.Field{Key: "Events", Value: strconv.Itoa(s.Events)},
	)
	for _, id := range s.OtherLinkedids {
		f = append(f, amiwire.Field{Key: "OtherLinkedid", Value: id})
	}
	for _, name := range s.Channels {
		f = append(f, amiwire.Field{Key: "Channel", Value: name})
	}
	return amiwire.Packet{Fields: f}
}

// Index lists the calls found in a stream of packets, say a capture, ended
// ones included: for a person looking for the call to trace. Unlike a
// Correlator its memory grows with the number of calls in the stream. It
// does no I/O and is not safe for concurrent use.
type Index struct {
	c    *Correlator
	list []*Summary
	open map[*Call]*Summary // calls up, by the Correlator's call
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	return &Index{c: New(), open: make(map[*Call]*Summary)}
}

// Feed applies one packet (as Correlator.Feed) and counts it for its call.
func (x *Index) Feed(host string, p amiwire.Packet, at time.Time) {
	call, changes := x.c.Feed(host, p, at)
	var mine *Summary // the summary of call, if call ended in this packet
	for _, ch := range changes {
		s := x.open[ch.Call]
		switch ch.Kind {
		case Start:
			s = &Summary{Host: ch.Call.Host, Linkedid: ch.Call.Linkedid}
			x.list = append(x.list, s)
			x.open[ch.Call] = s
		case End:
			delete(x.open, ch.Call)
			if s == nil {
				continue
			}
			if ch.Call == call {
				mine = s
			}
			if ch.Reason == ReasonMerged {
				x.absorb(s, ch.Into)
				continue
			}
			s.Ended = true
		}
		if s != nil {
			s.refresh(ch.Call)
		}
	}
	if call == nil {
		return
	}
	if s := x.open[call]; s != nil {
		s.Events++
	} else if mine != nil {
		mine.Events++
	}
}

// absorb folds the summary of a call that merged into another into the
// other's, and drops it from the list.
func (x *Index) absorb(src *Summary, into *Call) {
	dst := x.open[into]
	if dst == nil {
		return
	}
	dst.Events += src.Events
	for _, name := range src.Channels {
		dst.addChannel(name)
	}
	for i, s := range x.list {
		if s == src {
			x.list = append(x.list[:i], x.list[i+1:]...)
			break
		}
	}
	dst.refresh(into)
}

// refresh copies what the summary shows from the call.
func (s *Summary) refresh(call *Call) {
	s.OtherLinkedids = append(s.OtherLinkedids[:0], call.OtherLinkedids...)
	s.Start, s.End = call.Start, call.End
	s.Caller, s.Callee = call.Caller(), call.Callee()
	s.State = call.State()
	for _, ch := range call.Channels {
		s.addChannel(ch.Name)
	}
}

// addChannel adds a channel name the summary does not list yet: a channel
// renamed or dropped by the Correlator stays listed.
func (s *Summary) addChannel(name string) {
	for _, n := range s.Channels {
		if n == name {
			return
		}
	}
	s.Channels = append(s.Channels, name)
}

// Calls returns the calls found so far in the order they started, those
// still up included (Ended false). The slice is the Index's: it grows as
// packets are fed.
func (x *Index) Calls() []*Summary { return x.list }
