package calls

import (
	"fmt"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

// fuzzLinkedids and fuzzChan make the fuzz target's cast of channels:
// names, Uniqueids and Linkedids drawn from small sets, so that sequences
// collide often.
var fuzzLinkedids = [...]string{"1.0", "1.2", "1.4", "9.9"}

func fuzzChan(i byte, lid byte) chn {
	n := int(i % 8)
	name := fmt.Sprintf("SIP/%d-%08d", n, n)
	if n >= 4 { // two Local channels: 4 and 5, 6 and 7 are the halves of one
		name = fmt.Sprintf("Local/%d@default-%08d;%d", n/2, n/2, n%2+1)
	}
	return chn{name, fmt.Sprintf("1.%d", n), fuzzLinkedids[lid%byte(len(fuzzLinkedids))]}
}

var fuzzHosts = [...]string{"", "pbx2"}

// fuzzStep turns a few bytes into one input and applies it, returning the
// changes and how many bytes it used.
func fuzzStep(c *Correlator, data []byte) ([]Change, int) {
	var b [6]byte
	n := copy(b[:], data)
	op, x, y, lid, st, h := b[0], b[1], b[2], b[3], int(b[4]%12), fuzzHosts[b[5]%2]
	one, two := fuzzChan(x, lid), fuzzChan(y, lid>>2)
	br := fmt.Sprintf("br-%d", y%3)
	var p amiwire.Packet
	switch op % 22 {
	case 0:
		p = newchannel(one, st)
	case 1:
		p = newstate(one, st)
	case 2:
		p = one.ev("NewCallerid", st, "CallerIDNum", fmt.Sprint(y), "CallerIDName", "n")
	case 3:
		p = one.ev("NewConnectedLine", st, "ConnectedLineNum", fmt.Sprint(y))
	case 4:
		p = one.ev("Newexten", st, "Application", fmt.Sprint("App", y%4), "AppData", "d")
	case 5:
		p = one.ev("VarSet", st, "Variable", "V", "Value", "1")
	case 6:
		p = dial("DialBegin", one, two, st)
	case 7:
		p = dial("DialState", one, two, st)
	case 8:
		p = dial("DialEnd", one, two, st, "DialStatus", "ANSWER")
	case 9:
		p = localBridge(one, two)
	case 10:
		p = bridge("BridgeEnter", one, br)
	case 11:
		p = bridge("BridgeLeave", one, br)
	case 12:
		p = ev("BridgeDestroy", "BridgeUniqueid", br)
	case 13:
		p = ev("Rename", "Channel", one.name, "Newname", two.name, "Uniqueid", one.uid)
	case 14, 15:
		p = hangup(one, st, int(y))
	case 16:
		p = one.ev("CoreShowChannel", st, "Application", "Wait", "Duration", fmt.Sprintf("00:00:%02d", y%70), "BridgeId", br)
	case 17:
		p = ev("OriginateResponse", "Response", "Success", "Reason", "4", "Uniqueid", one.uid)
	case 18:
		c.BeginSnapshot(h)
		return nil, n
	case 19:
		// A snapshot of the channels whose bits are set in x.
		var items []amiwire.Packet
		for i := range byte(8) {
			if x&(1<<i) != 0 {
				items = append(items, item(fuzzChan(i, lid+i), st, "Wait", "1", "00:00:05", ""))
			}
		}
		return c.Snapshot(h, items, at(int(y))), n
	case 20:
		// Arbitrary fields: the rest of the input, a few bytes a field.
		p = ev(string(data[min(n, len(data)):]))
		for i := n; i+2 < len(data) && i < n+24; i += 3 {
			p.Add(string(data[i:i+1]), string(data[i+1:i+3]))
		}
	case 21:
		p = amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: string(data)}, {Key: "Uniqueid", Value: one.uid}, {Key: "Linkedid", Value: one.lid}, {Key: "Channel", Value: string(data)}}}
	}
	_, changes := c.Feed(h, p, at(int(x)))
	return changes, n
}

// FuzzCorrelator feeds arbitrary sequences of channel events and
// snapshots: the Correlator never panics, its indexes stay consistent, the
// changes make sense to a consumer, its tables stay within their bounds,
// and once every channel has hung up nothing is left.
func FuzzCorrelator(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 4, 0, 0, 1, 0, 0, 4, 0, 1, 1, 0, 0, 6, 0, 14, 0, 16, 0, 6, 0, 14, 1, 16, 0, 6, 0})
	f.Add([]byte{0, 0, 0, 0, 4, 0, 0, 2, 0, 1, 0, 0, 6, 0, 2, 0, 4, 0, 10, 0, 1, 0, 6, 0, 10, 2, 1, 0, 6, 0})
	f.Add([]byte{18, 0, 0, 0, 0, 0, 0, 3, 0, 0, 4, 0, 14, 3, 0, 0, 4, 0, 19, 7, 5, 0, 6, 0, 19, 1, 5, 0, 6, 1})
	f.Add([]byte{9, 1, 2, 1, 4, 0, 13, 1, 5, 0, 6, 0, 20, 'E', 'v', 'x', 'y', 'z', 21, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := New()
		check := newChecker()
		steps := 0
		for len(data) > 0 && steps < 500 {
			changes, n := fuzzStep(c, data)
			data = data[n:]
			steps++
			if err := check.changes(changes); err != nil {
				t.Fatalf("step %d: %v", steps, err)
			}
			if err := c.consistent(); err != nil {
				t.Fatalf("step %d: %v", steps, err)
			}
			if len(c.chans) > 16 || c.Len() > 16 {
				t.Fatalf("step %d: %d channels, %d calls from a cast of 8 channels on 2 hosts", steps, len(c.chans), c.Len())
			}
		}
		// Hang up whatever is left.
		for k, ch := range c.chans {
			if !ch.live() {
				continue
			}
			_, changes := c.Feed(k.host, hangup(chn{ch.Name, ch.Uniqueid, ch.call.Linkedid}, 6, 16), at(999))
			if err := check.changes(changes); err != nil {
				t.Fatalf("final hangup: %v", err)
			}
		}
		if c.Len() != 0 || len(c.calls) != 0 || len(c.chans) != 0 || len(c.bridges) != 0 || len(check.up) != 0 {
			t.Fatalf("after every hangup: %d calls, %d Linkedids, %d channels, %d bridges indexed; consumer sees %d up",
				c.Len(), len(c.calls), len(c.chans), len(c.bridges), len(check.up))
		}
	})
}
