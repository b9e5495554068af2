package calls

import (
	"strconv"
	"strings"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// The headers of a channel snapshot that the correlator reads. Asterisk
// puts the same set on every channel event, bare for the event's channel
// and with a prefix for the others: "Dest" (the dialled channel of
// DialBegin/DialState/DialEnd), "LocalOne" and "LocalTwo" (the halves of a
// LocalBridge).
const (
	sChannel = iota
	sUniqueid
	sLinkedid
	sState     // ChannelState: the number
	sStateDesc // ChannelStateDesc
	sCIDNum
	sCIDName
	sCLNum // ConnectedLineNum
	sCLName
	sExten
	sApp     // Application (Newexten, CoreShowChannel)
	sAppData // AppData (Newexten), ApplicationData (CoreShowChannel)
	sBridgeID
	sDuration // CoreShowChannel: HH:MM:SS since the channel was created
	nSnap
)

// The snapshot prefixes.
const (
	pBare = iota
	pDest
	pLocalOne
	pLocalTwo
	nPrefix
)

// snap is one channel snapshot read from a packet.
type snap struct {
	v   [nSnap]string
	set uint32
}

func (s *snap) get(i int) string { return s.v[i] }
func (s *snap) has(i int) bool   { return s.set&(1<<i) != 0 }
func (s *snap) put(i int, v string) { // the first occurrence wins, as for Packet.Get
	if s.set&(1<<i) == 0 {
		s.v[i] = v
		s.set |= 1 << i
	}
}

// scan holds what one pass over a packet's fields found. Its strings point
// into the packet, which may be borrowed: whatever outlives the call is
// copied (Correlator.keep).
type scan struct {
	event      string
	s          [nPrefix]snap
	bridge     string // BridgeUniqueid
	cause      string
	causeText  string
	newname    string
	dialStatus string
}

// read fills sc from p in one pass over the fields. Keys match without
// regard to case, as for Packet.Get.
func (sc *scan) read(p amiwire.Packet) {
	*sc = scan{}
	for _, f := range p.Fields {
		k := f.Key
		if len(k) < 5 {
			continue // no key the correlator reads is shorter than "Event"
		}
		pre := pBare
		switch k[0] {
		case 'D', 'd':
			if len(k) > 4 && fold(k[:4], "Dest") {
				pre, k = pDest, k[4:]
			}
		case 'L', 'l':
			if len(k) > 8 {
				switch {
				case fold(k[:8], "LocalOne"):
					pre, k = pLocalOne, k[8:]
				case fold(k[:8], "LocalTwo"):
					pre, k = pLocalTwo, k[8:]
				}
			}
		}
		if i := snapKey(k); i >= 0 {
			sc.s[pre].put(i, f.Value)
			continue
		}
		if pre != pBare {
			continue
		}
		switch len(k) {
		case 5:
			switch {
			case fold(k, "Event"):
				if sc.event == "" {
					sc.event = f.Value
				}
			case fold(k, "Cause"):
				if sc.cause == "" {
					sc.cause = f.Value
				}
			}
		case 7:
			if fold(k, "Newname") && sc.newname == "" {
				sc.newname = f.Value
			}
		case 9:
			if fold(k, "Cause-txt") && sc.causeText == "" {
				sc.causeText = f.Value
			}
		case 10:
			if fold(k, "DialStatus") && sc.dialStatus == "" {
				sc.dialStatus = f.Value
			}
		case 14:
			if fold(k, "BridgeUniqueid") && sc.bridge == "" {
				sc.bridge = f.Value
			}
		}
	}
}

// snapKey returns the snapshot slot of an unprefixed key, or -1.
func snapKey(k string) int {
	switch len(k) {
	case 5:
		if fold(k, "Exten") {
			return sExten
		}
	case 7:
		switch {
		case fold(k, "Channel"):
			return sChannel
		case fold(k, "AppData"):
			return sAppData
		}
	case 8:
		switch {
		case fold(k, "Uniqueid"):
			return sUniqueid
		case fold(k, "Linkedid"):
			return sLinkedid
		case fold(k, "BridgeId"):
			return sBridgeID
		case fold(k, "Duration"):
			return sDuration
		}
	case 11:
		switch {
		case fold(k, "CallerIDNum"):
			return sCIDNum
		case fold(k, "Application"):
			return sApp
		}
	case 12:
		switch {
		case fold(k, "ChannelState"):
			return sState
		case fold(k, "CallerIDName"):
			return sCIDName
		}
	case 15:
		if fold(k, "ApplicationData") {
			return sAppData
		}
	case 16:
		switch {
		case fold(k, "ChannelStateDesc"):
			return sStateDesc
		case fold(k, "ConnectedLineNum"):
			return sCLNum
		}
	case 17:
		if fold(k, "ConnectedLineName") {
			return sCLName
		}
	}
	return -1
}

// fold reports whether a and b are equal without regard to ASCII case; the
// exact spelling, by far the most common, is tried first.
func fold(a, b string) bool {
	return a == b || (len(a) == len(b) && strings.EqualFold(a, b))
}

// unknown is how Asterisk spells a caller ID it does not have.
const unknown = "<unknown>"

// known returns s, or "" for Asterisk's "<unknown>".
func known(s string) string {
	if s == unknown {
		return ""
	}
	return s
}

// parseDuration reads CoreShowChannel's Duration, "HH:MM:SS" (hours may
// have more digits).
func parseDuration(s string) (time.Duration, bool) {
	h, rest, ok1 := strings.Cut(s, ":")
	m, sec, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 {
		return 0, false
	}
	hv, err1 := strconv.ParseUint(h, 10, 32)
	mv, err2 := strconv.ParseUint(m, 10, 8)
	sv, err3 := strconv.ParseUint(sec, 10, 8)
	if err1 != nil || err2 != nil || err3 != nil || mv > 59 || sv > 59 {
		return 0, false
	}
	return time.Duration(hv)*time.Hour + time.Duration(mv)*time.Minute + time.Duration(sv)*time.Second, true
}

// Timestamp returns the time in an event's "Timestamp" header, which
// Asterisk adds (seconds since 1970 with microseconds, "1796456334.123456")
// when manager.conf says timestampevents = yes. ok is false when there is
// no such header or it does not parse.
func Timestamp(p amiwire.Packet) (t time.Time, ok bool) {
	v, found := p.Lookup("Timestamp")
	if !found {
		return time.Time{}, false
	}
	sec, frac, _ := strings.Cut(v, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s < 0 || len(frac) > 9 {
		return time.Time{}, false
	}
	var ns int64
	if frac != "" {
		f, err := strconv.ParseUint(frac, 10, 32)
		if err != nil {
			return time.Time{}, false
		}
		ns = int64(f)
		for range 9 - len(frac) {
			ns *= 10
		}
	}
	return time.Unix(s, ns), true
}
