package amisim

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"sync"
)

// A script is one recorded call turned into event templates: the events a
// listener saw, in order, with the values that differ from call to call
// (uniqueids, Local channel numbers, the bridge id, the Originate's
// variables, ...) cut out as slots. Filling the slots gives the events of
// a new call, byte for byte as Asterisk wrote them otherwise.
type script struct {
	events []tmplEvent
	// split is where the events that wait for the dialplan (talk's Wait,
	// noanswer's ring timeout) begin; len(events) when nothing waits.
	split  int
	nslots int
	uids   []int // slots of the recorded uniqueids, in order of appearance
	chans  []int // slots of the recorded Local channel numbers, likewise
	bridge int   // slot of the BridgeUniqueid, or -1
	named  map[string]int
}

// tmplEvent is one event of a script.
type tmplEvent struct {
	segs []seg
	priv string // its Privilege header: who may see it
	// vars marks a VarSet of the recording's Originate variable: it is
	// repeated for each variable of the Originate being simulated.
	vars bool
	// originate marks the OriginateResponse, which the simulator writes
	// itself (its ActionID, Channel and Reason depend on the action).
	originate bool
}

// seg is literal bytes followed by a slot's value (slot < 0: none).
type seg struct {
	lit  string
	slot int
}

func (t *tmplEvent) appendTo(dst []byte, vals []string) []byte {
	for _, s := range t.segs {
		dst = append(dst, s.lit...)
		if s.slot >= 0 {
			dst = append(dst, vals[s.slot]...)
		}
	}
	return dst
}

// scriptSpec says how to cut a script from a recording.
type scriptSpec struct {
	file string
	// pick selects the call's events among the recording's packets.
	pick func(ev []byte) bool
	// waitFrom marks the first event that comes after the wait (nil: none).
	waitFrom func(ev []byte) bool
	// variable is the Originate variable of the recording ("LEN"), whose
	// VarSet events become per-variable templates; "" for none.
	variable, value string
	// named are literal strings cut out as named slots, each with the
	// bytes around it that make it unambiguous ("AppData: 2\r\n" ->
	// "AppData: " + slot + "\r\n").
	named []namedCut
}

type namedCut struct {
	name           string
	before, value  string
	after          string
	onlyInEventsOf string // cut only in events containing this, "" for all
}

// templateRegexps are what compileScript looks for in a recorded event,
// compiled on first use: every run of ami links this package (for --mock),
// and most never start the simulator.
type templateRegexps struct{ uid, channel, bridge, priv *regexp.Regexp }

var templateRes = sync.OnceValue(func() templateRegexps {
	return templateRegexps{
		uid:     regexp.MustCompile(`\b\d{10}\.\d+\b`),
		channel: regexp.MustCompile(`@[a-z]+-([0-9a-f]{8});`),
		bridge:  regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`),
		priv:    regexp.MustCompile(`(?m)^Privilege: ([^\r\n]*)\r$`),
	}
})

// recordedEvents returns the exact bytes of each packet of a server
// recording after its banner line.
func recordedEvents(raw []byte) [][]byte {
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		raw = raw[i+1:]
	}
	var out [][]byte
	for len(raw) > 0 {
		end := bytes.Index(raw, []byte("\r\n\r\n"))
		if end < 0 {
			break
		}
		out = append(out, raw[:end+4])
		raw = raw[end+4:]
	}
	return out
}

// compileScript cuts a script from a recording as spec says.
func compileScript(spec scriptSpec) (*script, error) {
	raw, err := recording(spec.file)
	if err != nil {
		return nil, err
	}
	sc := &script{bridge: -1, named: map[string]int{}}
	slots := map[string]int{}
	slot := func(key string) int {
		if n, ok := slots[key]; ok {
			return n
		}
		slots[key] = sc.nslots
		sc.nslots++
		return sc.nslots - 1
	}
	sc.split = -1
	re := templateRes()
	for _, ev := range recordedEvents(raw) {
		if !bytes.HasPrefix(ev, []byte("Event: ")) || !spec.pick(ev) {
			continue
		}
		if sc.split < 0 && spec.waitFrom != nil && spec.waitFrom(ev) {
			sc.split = len(sc.events)
		}
		t := tmplEvent{originate: bytes.HasPrefix(ev, []byte("Event: OriginateResponse\r\n"))}
		if m := re.priv.FindSubmatch(ev); m != nil {
			t.priv = string(m[1])
		}
		if t.originate {
			sc.events = append(sc.events, t)
			continue
		}
		type cut struct {
			start, end int
			segs       []seg // what replaces ev[start:end]; the last seg's lit follows its slot
		}
		var cuts []cut
		for _, m := range re.uid.FindAllIndex(ev, -1) {
			key := "uid:" + string(ev[m[0]:m[1]])
			if _, seen := slots[key]; !seen {
				sc.uids = append(sc.uids, slot(key))
			}
			cuts = append(cuts, cut{m[0], m[1], []seg{{slot: slots[key]}}})
		}
		for _, m := range re.channel.FindAllSubmatchIndex(ev, -1) {
			key := "chan:" + string(ev[m[2]:m[3]])
			if _, seen := slots[key]; !seen {
				sc.chans = append(sc.chans, slot(key))
			}
			cuts = append(cuts, cut{m[2], m[3], []seg{{slot: slots[key]}}})
		}
		for _, m := range re.bridge.FindAllIndex(ev, -1) {
			sc.bridge = slot("bridge")
			cuts = append(cuts, cut{m[0], m[1], []seg{{slot: sc.bridge}}})
		}
		if spec.variable != "" && bytes.HasPrefix(ev, []byte("Event: VarSet\r\n")) {
			line := "\r\nVariable: " + spec.variable + "\r\nValue: " + spec.value + "\r\n"
			if i := bytes.Index(ev, []byte(line)); i >= 0 {
				t.vars = true
				sc.named["var"], sc.named["value"] = slot("var"), slot("value")
				cuts = append(cuts, cut{i, i + len(line), []seg{
					{lit: "\r\nVariable: ", slot: sc.named["var"]},
					{lit: "\r\nValue: ", slot: sc.named["value"]},
					{lit: "\r\n", slot: -1},
				}})
			}
		}
		for _, nc := range spec.named {
			if nc.onlyInEventsOf != "" && !bytes.Contains(ev, []byte(nc.onlyInEventsOf)) {
				continue
			}
			needle := []byte(nc.before + nc.value + nc.after)
			for off := 0; ; {
				i := bytes.Index(ev[off:], needle)
				if i < 0 {
					break
				}
				i += off
				s := slot(nc.name)
				sc.named[nc.name] = s
				cuts = append(cuts, cut{i, i + len(needle), []seg{{lit: nc.before, slot: s}, {lit: nc.after, slot: -1}}})
				off = i + len(needle)
			}
		}
		sort.Slice(cuts, func(i, j int) bool { return cuts[i].start < cuts[j].start })
		var lit []byte
		pos := 0
		for _, c := range cuts {
			if c.start < pos {
				return nil, fmt.Errorf("amisim: %s: overlapping cuts in %q", spec.file, firstLine(ev))
			}
			lit = append(lit, ev[pos:c.start]...)
			for _, s := range c.segs {
				lit = append(lit, s.lit...)
				if s.slot >= 0 {
					t.segs = append(t.segs, seg{lit: string(lit), slot: s.slot})
					lit = lit[:0]
				}
			}
			pos = c.end
		}
		lit = append(lit, ev[pos:]...)
		t.segs = append(t.segs, seg{lit: string(lit), slot: -1})
		sc.events = append(sc.events, t)
	}
	if len(sc.events) == 0 {
		return nil, fmt.Errorf("amisim: %s: no events picked", spec.file)
	}
	if sc.split < 0 {
		sc.split = len(sc.events)
	}
	return sc, nil
}

// The scripts: each outcome of originate-outcomes.server.ami, and the
// bridged call of call-bridged.listener.server.ami.
const (
	outcomesFile = "originate-outcomes.server.ami"
	bridgedFile  = "call-bridged.listener.server.ami"
)

func involves(device string) func([]byte) bool {
	return func(ev []byte) bool { return bytes.Contains(ev, []byte(device)) }
}

func isHangupApp(ev []byte) bool {
	return bytes.HasPrefix(ev, []byte("Event: Newexten\r\n")) && bytes.Contains(ev, []byte("\r\nApplication: Hangup\r\n"))
}

func isHangupRequest(ev []byte) bool {
	return bytes.HasPrefix(ev, []byte("Event: HangupRequest\r\n"))
}

// scriptSpecs are the recorded calls the simulator plays, by extension of
// context default.
var scriptSpecs = map[string]scriptSpec{
	"talk": {file: outcomesFile, pick: involves("Local/talk@default"), waitFrom: isHangupApp,
		variable: "LEN", value: "2",
		named: []namedCut{{name: "len", before: "\r\nApplication: Wait\r\nAppData: ", value: "2", after: "\r\n"}}},
	"busy":     {file: outcomesFile, pick: involves("Local/busy@default")},
	"congest":  {file: outcomesFile, pick: involves("Local/congest@default")},
	"noanswer": {file: outcomesFile, pick: involves("Local/noanswer@default"), waitFrom: isHangupRequest},
	// Any other extension: the recording's nosuchexten, with the
	// extension and context put in.
	"": {file: outcomesFile, pick: involves("Local/nosuchexten@default"),
		named: []namedCut{
			{name: "exten", before: "Local/", value: "nosuchexten"},
			{name: "context", before: "@", value: "default", after: "-", onlyInEventsOf: "nosuchexten@default-"},
			{name: "context", before: "@", value: "default", after: "\r\n", onlyInEventsOf: "Device: Local/nosuchexten@default\r\n"},
			{name: "exten", before: "\nExten: ", value: "nosuchexten", after: "\r"},
			{name: "exten", before: "\nExtension: ", value: "nosuchexten", after: "\r"},
			{name: "context", before: "\nContext: ", value: "default", after: "\r"},
		}},
	"dialtalk": {file: bridgedFile, pick: func(ev []byte) bool {
		return !bytes.HasPrefix(ev, []byte("Event: SuccessfulAuth\r\n")) && !bytes.HasPrefix(ev, []byte("Event: FullyBooted\r\n"))
	}, waitFrom: isHangupApp, variable: "LEN", value: "2"},
}

// outcome is how a scripted Originate ends, as its OriginateResponse says.
type outcome struct {
	answered bool
	reason   int
}

var scriptOutcomes = map[string]outcome{
	"talk": {true, 4}, "dialtalk": {true, 4}, "busy": {false, 5}, "congest": {false, 8},
	"noanswer": {false, 3}, "": {false, 0},
}

// compileScripts cuts every script.
func compileScripts() (map[string]*script, error) {
	out := make(map[string]*script, len(scriptSpecs))
	for name, spec := range scriptSpecs {
		sc, err := compileScript(spec)
		if err != nil {
			return nil, err
		}
		if len(sc.uids) < 2 || len(sc.chans) < 1 {
			return nil, errors.New("amisim: " + spec.file + ": the call has no Local channel pair")
		}
		out[name] = sc
	}
	return out, nil
}

// localNumber formats a Local channel number as Asterisk does: eight hex
// digits.
func localNumber(n int) string {
	s := strconv.FormatInt(int64(n), 16)
	if len(s) < 8 {
		s = "00000000"[len(s):] + s
	}
	return s
}
