package amisim

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/ami-cli/ami/amiwire/internal/wire"
	"io"
	"strings"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// ReplayReport says what a replay of a raw capture (SimOptions.Replay)
// sends to each session and what it leaves out, so that a tool can tell
// its user.
type ReplayReport struct {
	Events    int          // events replayed (each session's event mask and filters still apply)
	Unstamped int          // events whose leading ReceivedAt line was dropped
	Skipped   []ReplaySkip // packets left out, in file order
}

// ReplaySkip is a packet of a capture that a replay leaves out.
type ReplaySkip struct {
	Line   int    // the line it starts on, from 1
	Reason string // one of the Skip* reasons
	Detail string // more about it, for a message: "Response: Success", the limit exceeded
}

// The reasons a replay leaves a packet out.
const (
	SkipResponse  = "response"          // a Response packet: it answered an action of the capture's client
	SkipAction    = "action"            // an Action packet (a capture of the other direction)
	SkipNotAMI    = "not an AMI packet" // no Event, Response or Action key: not a capture at all?
	SkipOverLimit = "over a limit"      // a client's Reader would refuse it (a *amiwire.ProtocolError with a Limit)
	SkipBroken    = "broken"            // the file stops making sense here (a packet cut short at its end)
)

// receivedAtKey is the header `ami listen --timestamps` puts first in
// every event, in raw output too. Asterisk sends no such header: a replay
// drops it, so that a listener stamping its own receipt time does not get
// two.
const receivedAtKey = "ReceivedAt"

// InspectReplay reports what a Simulator with Options{Replay: raw}
// replays and leaves out. It reads raw the same way New does.
func InspectReplay(raw []byte) ReplayReport {
	_, rep := parseReplay(raw)
	return rep
}

// parseReplay reads a raw capture: a banner line (skipped) and packets
// back to back, as `ami listen -o raw` writes them. It keeps the events,
// with their exact bytes, less a leading ReceivedAt line.
func parseReplay(raw []byte) ([]*amitest.EncodedEvent, ReplayReport) {
	var rep ReplayReport
	var events []*amitest.EncodedEvent
	banner := bannerLen(raw)
	body := raw[banner:]
	lines := lineCounter{b: raw, pos: 0, line: 1}
	rd := amiwire.NewReader(bytes.NewReader(body))
	for {
		p, err := rd.ReadPacket()
		if err == nil {
			start := int(rd.Offset()) - len(p.Raw)
			skip := ReplaySkip{Line: lines.at(banner + start)}
			switch {
			case p.Has("Event"):
				ev := p.Raw
				if len(p.Fields) > 1 && strings.EqualFold(p.Fields[0].Key, receivedAtKey) {
					ev = ev[bytes.IndexByte(ev, '\n')+1:]
					rep.Unstamped++
				}
				events = append(events, amitest.NewRawEvent(ev, p.Get("Privilege")))
				continue
			case p.Has("Response"):
				skip.Reason, skip.Detail = SkipResponse, "Response: "+p.Get("Response")
			case p.Has("Action"):
				skip.Reason, skip.Detail = SkipAction, "Action: "+p.Get("Action")
			default:
				skip.Reason = SkipNotAMI
				if len(p.Fields) > 0 {
					skip.Detail = fmt.Sprintf("it starts %q", truncateText(firstLine(p.Raw), 40))
				}
			}
			rep.Skipped = append(rep.Skipped, skip)
			continue
		}
		var pe *amiwire.ProtocolError
		switch {
		case errors.As(err, &pe) && pe.Limit != "":
			rep.Skipped = append(rep.Skipped, ReplaySkip{Line: lines.at(banner + int(pe.Offset)), Reason: SkipOverLimit,
				Detail: fmt.Sprintf("%s over %s", pe.Limit, sizeText(pe.Max))})
			continue
		case errors.As(err, &pe):
			detail := pe.Msg
			if errors.Is(err, io.ErrUnexpectedEOF) {
				detail = "the file ends inside it, with no empty line after it"
			}
			rep.Skipped = append(rep.Skipped, ReplaySkip{Line: lines.at(banner + int(pe.Offset)), Reason: SkipBroken, Detail: detail})
		case !errors.Is(err, io.EOF):
			rep.Skipped = append(rep.Skipped, ReplaySkip{Line: lines.at(banner + int(rd.Offset())), Reason: SkipBroken, Detail: err.Error()})
		}
		rep.Events = len(events)
		return events, rep
	}
}

// bannerLen returns the length of raw's first line, line end included,
// when it is a banner (or at least not a header), else 0.
func bannerLen(raw []byte) int {
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		line := bytes.TrimRight(raw[:i], "\r")
		if _, ok := wire.BannerVersion(string(line)); ok || !bytes.Contains(line, []byte(":")) {
			return i + 1
		}
	}
	return 0
}

// lineCounter turns increasing byte offsets of b into line numbers,
// counting each line end once.
type lineCounter struct {
	b    []byte
	pos  int
	line int
}

func (c *lineCounter) at(off int) int {
	off = min(max(off, c.pos), len(c.b))
	c.line += bytes.Count(c.b[c.pos:off], []byte("\n"))
	c.pos = off
	return c.line
}

func firstLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return string(bytes.TrimRight(b, "\r"))
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// sizeText renders a byte count: "1 MiB", "16 MiB", "65536".
func sizeText(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprint(n)
}
