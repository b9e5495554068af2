package amitest

import (
	"bytes"
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// FaultKind names a misbehaviour the server can be told to show.
type FaultKind int

// The faults. Unless a kind says otherwise, a fault fires once, on the
// first action that matches its Fault (see Fault.Action and Fault.Skip).
const (
	// FaultCloseMidPacket writes the first half of the answer to the
	// matching action (the first bytes written after it arrives) and then
	// closes the connection.
	FaultCloseMidPacket FaultKind = iota + 1
	// FaultStall writes the first half of the answer, then writes nothing
	// more on that session (answers and events are dropped) while still
	// reading, until the client or the server closes.
	FaultStall
	// FaultDrip writes every byte of the session on its own, from the
	// banner on when installed at connect time. It stays on; Action and Skip
	// are ignored.
	FaultDrip
	// FaultGarbage answers the matching action with non-AMI bytes (binary
	// junk and lines without a colon, then an empty line) instead of its
	// response. The session then goes on normally.
	FaultGarbage
	// FaultOversizedLine sends, before the normal answer, a packet with one
	// line of Size bytes (default 2 MiB, more than the Reader's default
	// line limit).
	FaultOversizedLine
	// FaultNoAnswer reads and records matching actions but never answers
	// them. It stays on (every matching action after Skip is ignored).
	FaultNoAnswer
	// FaultCloseAfterLogin closes the connection right after the
	// successful Login response, before FullyBooted. Action is ignored.
	FaultCloseAfterLogin
	// FaultCloseMidList closes the connection in the middle of the first
	// event list sent in answer to a matching action: after Size items
	// (default 1; a negative Size closes right after the start response).
	FaultCloseMidList
	// FaultCloseAfterAnswer answers the matching action and then closes
	// the connection. With Skip it cuts a pipelined batch: Skip: 1 answers
	// the first action of the batch and the second, then closes, leaving
	// the rest unanswered.
	FaultCloseAfterAnswer
	// FaultNoBanner sends no banner; the session otherwise answers actions
	// normally. Only effective when installed before the session connects
	// (Options.Faults, Server.SetFaults or Options.OnConnect).
	FaultNoBanner
	// FaultBadBanner sends a non-AMI greeting ("SSH-2.0-OpenSSH_9.6")
	// instead of the banner. Only effective at connect time, like
	// FaultNoBanner.
	FaultBadBanner
)

var faultNames = map[FaultKind]string{
	FaultCloseMidPacket:   "close-mid-packet",
	FaultStall:            "stall",
	FaultDrip:             "drip",
	FaultGarbage:          "garbage",
	FaultOversizedLine:    "oversized-line",
	FaultNoAnswer:         "no-answer",
	FaultCloseAfterLogin:  "close-after-login",
	FaultCloseMidList:     "close-mid-list",
	FaultCloseAfterAnswer: "close-after-answer",
	FaultNoBanner:         "no-banner",
	FaultBadBanner:        "bad-banner",
}

// String returns the fault's name, as ParseFaultKind accepts it.
func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n
	}
	return "fault(" + itoa(int(k)) + ")"
}

// ParseFaultKind returns the fault named name (as FaultKind.String prints
// it, case-insensitive), for command-line flags.
func ParseFaultKind(name string) (FaultKind, bool) {
	for k, n := range faultNames {
		if strings.EqualFold(n, name) {
			return k, true
		}
	}
	return 0, false
}

// Fault is one misbehaviour to install on a server (Options.Faults,
// Server.SetFaults) or a session (Session.SetFaults).
type Fault struct {
	Kind FaultKind
	// Action limits the fault to actions with this name (case-insensitive).
	// "" matches any action except Login and Challenge, so the default
	// fault hits the first action after logging in.
	Action string
	// Skip lets this many matching actions through before the fault fires.
	Skip int
	// Size is the line length for FaultOversizedLine and the number of
	// items before the cut for FaultCloseMidList.
	Size int
}

type faultState struct {
	Fault
	fired bool
}

func makeFaultStates(fs []Fault) []faultState {
	st := make([]faultState, len(fs))
	for i, f := range fs {
		st[i] = faultState{Fault: f}
	}
	return st
}

// SetFaults replaces the session's faults; with no argument it clears them.
func (s *Session) SetFaults(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = makeFaultStates(faults)
}

// AddFault adds one fault to the session's faults.
func (s *Session) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faultState{Fault: f})
}

// hasFault reports whether a fault of that kind is installed (for the
// connection-wide kinds: drip, banners).
func (s *Session) hasFault(k FaultKind) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Kind == k {
			return true
		}
	}
	return false
}

func (s *Session) takeFault(k FaultKind, a amiwire.Packet) bool {
	_, ok := s.takeFaultState(k, a)
	return ok
}

// takeFaultState finds the first live fault of kind k matching action a,
// counts down its Skip, and reports whether it fires now (marking one-shot
// faults as fired).
func (s *Session) takeFaultState(k FaultKind, a amiwire.Packet) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := a.Get("Action")
	for i := range s.faults {
		f := &s.faults[i]
		if f.Kind != k || f.fired {
			continue
		}
		switch {
		case k == FaultCloseAfterLogin:
		case f.Action == "":
			if strings.EqualFold(name, "Login") || strings.EqualFold(name, "Challenge") {
				continue
			}
		case !strings.EqualFold(f.Action, name):
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			continue
		}
		if k != FaultNoAnswer {
			f.fired = true
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// badBanner is the greeting of FaultBadBanner.
const badBanner = "SSH-2.0-OpenSSH_9.6"

// garbage is what FaultGarbage sends.
var garbage = []byte("\x00\x01\xfe\xff\x1b[31mthis is not AMI\r\n<<<>>> ::: \x7f\r\n\r\n")

// DefaultOversizedLine is the line length FaultOversizedLine uses when
// Size is 0.
const DefaultOversizedLine = 2 << 20

func oversizedPacket(size int) []byte {
	if size <= 0 {
		size = DefaultOversizedLine
	}
	b := make([]byte, 0, size+32)
	b = append(b, "Event: Oversized\r\nData: "...)
	b = append(b, bytes.Repeat([]byte{'x'}, max(size-len("Data: "), 0))...)
	return append(b, "\r\n\r\n"...)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
