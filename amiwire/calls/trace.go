package calls

import (
	"strings"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// Target names the call to trace: by a Linkedid it is known under, or by
// one of its channels, by Uniqueid or by name. Set one of Linkedid,
// Uniqueid and Channel; Host, when set, limits the search to that host.
type Target struct {
	Host     string
	Linkedid string
	Uniqueid string
	// Channel is a channel name ("PJSIP/100-0000002a"), or a device, the
	// name without its "-suffix" ("PJSIP/100"): the first call with a
	// channel of that device is the one traced.
	Channel string
}

// matches reports whether call is the target.
func (t Target) matches(call *Call) bool {
	if t.Host != "" && call.Host != t.Host {
		return false
	}
	if t.Linkedid != "" && call.hasLinkedid(t.Linkedid) {
		return true
	}
	for _, ch := range call.Channels {
		if t.Uniqueid != "" && ch.Uniqueid == t.Uniqueid {
			return true
		}
		if t.Channel != "" && (ch.Name == t.Channel ||
			len(ch.Name) > len(t.Channel) && strings.HasPrefix(ch.Name, t.Channel) && ch.Name[len(t.Channel)] == '-') {
			return true
		}
	}
	return false
}

// Tracer follows one call through a stream of packets and tells which
// packets belong to it, including those of channels that join the call
// later (a dialled channel, the other half of a Local channel, a call
// merged into it). It is a Correlator that watches one call: it does no
// I/O and is not safe for concurrent use.
//
// Packets fed before the target's first channel appears are not the
// call's (the Tracer cannot know yet), nor is a BridgeCreate, which comes
// before any channel enters the bridge; to trace a call from its start in a
// capture, find its Linkedid first (Index) and trace that.
type Tracer struct {
	c      *Correlator
	target Target
	call   *Call // the call traced, once found; nil after it ended
	final  *Call // a copy of the call as it ended
}

// NewTracer returns a Tracer for the target.
func NewTracer(t Target) *Tracer {
	return &Tracer{c: New(), target: t}
}

// Found reports whether the target's call has been seen.
func (t *Tracer) Found() bool { return t.call != nil || t.final != nil }

// Ended reports whether the traced call has ended: every channel hung up,
// or a snapshot no longer had it.
func (t *Tracer) Ended() bool { return t.final != nil }

// Call returns the traced call as it is now (as it ended, once Ended), or
// nil before it is found. The call is valid until the next call of a
// Tracer method; once Ended it stays valid.
func (t *Tracer) Call() *Call {
	if t.final != nil {
		return t.final
	}
	return t.call
}

// Feed applies one packet (as Correlator.Feed) and reports whether it
// belongs to the traced call. After the call ended, it reports false and
// does nothing more.
func (t *Tracer) Feed(host string, p amiwire.Packet, at time.Time) bool {
	if t.final != nil {
		return false
	}
	call, changes := t.c.Feed(host, p, at)
	if t.call == nil && call != nil && t.target.matches(call) {
		t.call = call
	}
	cur := t.call
	if cur == nil {
		return false
	}
	t.follow(changes)
	return call != nil && (call == cur || call == t.call)
}

// follow tracks the traced call through merges and notes its end.
func (t *Tracer) follow(changes []Change) {
	for _, ch := range changes {
		if ch.Call != t.call || ch.Kind != End {
			continue
		}
		if ch.Reason == ReasonMerged {
			t.call = ch.Into
			continue
		}
		t.final = t.call.clone()
		t.call = nil
		return
	}
}

// BeginSnapshot is Correlator.BeginSnapshot.
func (t *Tracer) BeginSnapshot(host string) { t.c.BeginSnapshot(host) }

// Snapshot applies a CoreShowChannels snapshot (as Correlator.Snapshot)
// and looks for the target among its calls: a live trace starts from a
// snapshot, so Found tells at once whether the target is up.
func (t *Tracer) Snapshot(host string, items []amiwire.Packet, at time.Time) {
	if t.final != nil {
		return
	}
	changes := t.c.Snapshot(host, items, at)
	if t.call == nil {
		for _, call := range t.c.AppendCalls(nil) {
			if t.target.matches(call) {
				t.call = call
				break
			}
		}
	}
	if t.call != nil {
		t.follow(changes)
	}
}
