package calls

import (
	"strconv"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// State is a call's state, a word derived from the states of its channels
// that are still up.
type State string

// The call states, from the most advanced down; a call is in the first one
// that applies.
const (
	// StateBridged: two channels of the call are in the same bridge
	// (BridgeEnter, or a snapshot's BridgeId): the parties talk.
	StateBridged State = "bridged"
	// StateUp: a channel is up (answered) but no two share a bridge, say a
	// call talking to voicemail or an IVR.
	StateUp State = "up"
	// StateRinging: a channel rings (ChannelState 4 Ring or 5 Ringing) and
	// none is up.
	StateRinging State = "ringing"
	// StateBusy: a channel is in state Busy and none rings or is up.
	StateBusy State = "busy"
	// StateDialing: a Dial is under way (DialBegin without its DialEnd) or
	// a channel is dialling (states 3, 8, 9), and nothing above applies.
	StateDialing State = "dialing"
	// StateDown: channels exist but none of the above applies.
	StateDown State = "down"
	// StateEnded: every channel has hung up (or was lost).
	StateEnded State = "ended"
)

// ChannelStatus says whether a channel is still there.
type ChannelStatus string

// The channel statuses.
const (
	// ChannelLive: the channel is up, as far as the events tell.
	ChannelLive ChannelStatus = "live"
	// ChannelHungup: a Hangup event came; Cause and CauseText say why.
	ChannelHungup ChannelStatus = "hungup"
	// ChannelLost: a snapshot taken after a reconnect no longer had the
	// channel; its hangup was missed, so there is no cause.
	ChannelLost ChannelStatus = "lost"
)

// Channel is one channel of a call as the events and snapshots showed it.
// Its fields are read-only for the caller and valid until the next call of
// a method of the Correlator (or Tracer, Index) that reported it; copy the
// values to keep them (strings may be kept as they are).
type Channel struct {
	Name     string // Channel, e.g. "PJSIP/100-00000001"
	Uniqueid string
	// State is the ChannelState number (0 Down ... 6 Up, 7 Busy) and
	// StateDesc its text (ChannelStateDesc).
	State     int
	StateDesc string
	// The channel's caller ID and connected line, "" where Asterisk says
	// "<unknown>".
	CallerIDNum, CallerIDName           string
	ConnectedLineNum, ConnectedLineName string
	// Exten is the extension the channel was first seen at: for the first
	// channel of an incoming call, the number that was dialled.
	Exten string
	// Application and AppData are what the channel runs now (Newexten,
	// CoreShowChannel).
	Application, AppData string
	// BridgeID is the bridge the channel is in, "" when none.
	BridgeID string
	// DialStatus is the DialStatus of the DialEnd that ended a dial to this
	// channel (ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL...).
	DialStatus string
	Status     ChannelStatus
	// Cause and CauseText are the Hangup event's Cause and Cause-txt
	// ("16", "Normal Clearing"); empty while the channel is live or when it
	// was lost.
	Cause, CauseText string
	// Created is when the channel was first seen (from a snapshot: the
	// snapshot's time less the channel's Duration), Ended when it hung up
	// or was found lost; zero when the events came without times.
	Created, Ended time.Time

	call    *Call
	dialing bool // DialBegin seen, DialEnd not yet
}

// live reports whether the channel has neither hung up nor been lost.
func (ch *Channel) live() bool { return ch.Status == ChannelLive }

// Party is one end of a call: a number and a name, each "" when unknown.
type Party struct {
	Num, Name string
}

// String renders the party for people: "100 (Alice)", "100", "Alice", or
// "?" when nothing is known.
func (p Party) String() string {
	switch {
	case p.Num != "" && p.Name != "":
		return p.Num + " (" + p.Name + ")"
	case p.Num != "":
		return p.Num
	case p.Name != "":
		return p.Name
	}
	return "?"
}

// Call is a group of channels that share a Linkedid on one host: one call
// as people think of it, from its first channel to its last hangup. Its
// fields are read-only for the caller and valid until the next call of a
// method of the Correlator (or Tracer, Index) that reported it.
type Call struct {
	Host     string // the host the events came from, as given to Feed
	Linkedid string // the Linkedid the call was first seen under
	// OtherLinkedids lists further Linkedids the call is known under: those
	// of calls that merged into it (a dialled channel that had its own, a
	// call bridged with this one by a transfer) and those Asterisk moved
	// its channels to when it bridged them.
	OtherLinkedids []string
	// Channels lists the call's channels in the order they were first
	// seen, hung-up ones included (at most MaxEndedChannels of those; see
	// DroppedChannels).
	Channels []*Channel
	// Start is when the call was first seen (the Newchannel of its first
	// channel, or from a snapshot the oldest channel's creation), Answer
	// when a channel of it first went up, End when it ended; each zero when
	// unknown (a call first seen already up has no Answer time).
	Start, Answer, End time.Time
	// Answered reports whether any channel of the call has been up.
	Answered bool
	// DroppedChannels counts hung-up channels forgotten to keep memory
	// bounded on a call that goes through very many channels.
	DroppedChannels int

	startText, answerText timeText // Start and Answer formatted, kept

	bridges []string // bridges the Correlator's bridge index has this call under

	nlive  int    // channels still live
	batch  uint64 // the Correlator batch of chg
	chg    int    // 1 + index of this call's change in the batch, or 0
	merged bool   // ended by merging into another call (its channels live on)
}

// MaxEndedChannels is how many hung-up channels a call that is still up
// keeps for its record; older ones are dropped (Call.DroppedChannels).
const MaxEndedChannels = 32

// State returns the call's state, derived from its live channels.
func (c *Call) State() State {
	if c.nlive == 0 {
		return StateEnded
	}
	var up, ringing, busy, dialing bool
	for i, ch := range c.Channels {
		if !ch.live() {
			continue
		}
		if ch.BridgeID != "" {
			for _, o := range c.Channels[i+1:] {
				if o.live() && o.BridgeID == ch.BridgeID {
					return StateBridged
				}
			}
		}
		switch ch.State {
		case 6:
			up = true
		case 4, 5:
			ringing = true
		case 7:
			busy = true
		case 3, 8, 9:
			dialing = true
		}
		if ch.dialing {
			dialing = true
		}
	}
	switch {
	case up:
		return StateUp
	case ringing:
		return StateRinging
	case busy:
		return StateBusy
	case dialing:
		return StateDialing
	}
	return StateDown
}

// Live returns the number of the call's channels that are still up.
func (c *Call) Live() int { return c.nlive }

// primary returns the channel that started the call: the one whose
// Uniqueid is the Linkedid, else the first one seen.
func (c *Call) primary() *Channel {
	for _, ch := range c.Channels {
		if ch.Uniqueid == c.Linkedid {
			return ch
		}
	}
	if len(c.Channels) > 0 {
		return c.Channels[0]
	}
	return nil
}

// Caller returns the calling party: the caller ID of the channel that
// started the call (the one whose Uniqueid is the Linkedid, else the first
// one seen).
func (c *Call) Caller() Party {
	ch := c.primary()
	if ch == nil {
		return Party{}
	}
	return Party{Num: ch.CallerIDNum, Name: ch.CallerIDName}
}

// Callee returns the called party: the connected line of the channel that
// started the call once Asterisk knows it (after a Dial connects), else the
// number it dialled (the extension it was first seen at).
func (c *Call) Callee() Party {
	ch := c.primary()
	if ch == nil {
		return Party{}
	}
	p := Party{Num: ch.ConnectedLineNum, Name: ch.ConnectedLineName}
	if p.Num == "" {
		p.Num = ch.Exten
	}
	return p
}

// hasLinkedid reports whether the call is known under id.
func (c *Call) hasLinkedid(id string) bool {
	if c.Linkedid == id {
		return true
	}
	for _, o := range c.OtherLinkedids {
		if o == id {
			return true
		}
	}
	return false
}

// clone returns a deep copy that no Correlator will reuse.
func (c *Call) clone() *Call {
	d := *c
	d.OtherLinkedids = append([]string(nil), c.OtherLinkedids...)
	d.Channels = make([]*Channel, len(c.Channels))
	for i, ch := range c.Channels {
		cc := *ch
		cc.call = &d
		d.Channels[i] = &cc
	}
	return &d
}

// The keys of a call record. Keys that ami adds start with '@' and come
// first (see package format).
const (
	KeyHost   = "@host"   // the host, when Feed was given one
	KeyChange = "@change" // start, update or end
	KeyReason = "@reason" // why: see Reason
	KeyInto   = "@into"   // the Linkedid a merged call went into
)

// timeLayout is the layout of the record's times: RFC 3339 with
// microseconds, as listen --timestamps writes ReceivedAt.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// AppendFields appends the call as packet fields to dst and returns the
// extended slice: the call's own fields (Linkedid, State, Answered, the
// times and durations that are known, the caller and callee), then one
// group per channel of the same keys in the same order (Channel, Uniqueid,
// ChannelStateDesc, Application, AppData, BridgeId, DialStatus,
// ChannelStatus, Cause, Cause-txt), so each repeated key lists its values
// channel by channel and JSON shows them as arrays of equal length.
//
// Durations are seconds with three decimals: Duration from start to end,
// AnsweredDuration from the answer to the end, on an ended call whose
// times are known.
func (c *Call) AppendFields(dst []amiwire.Field) []amiwire.Field {
	st := c.State()
	dst = append(dst,
		amiwire.Field{Key: "Linkedid", Value: c.Linkedid},
		amiwire.Field{Key: "State", Value: string(st)},
		amiwire.Field{Key: "Answered", Value: yesNo(c.Answered)},
	)
	if !c.Start.IsZero() {
		dst = append(dst, amiwire.Field{Key: "StartTime", Value: c.startText.format(c.Start)})
	}
	if !c.Answer.IsZero() {
		dst = append(dst, amiwire.Field{Key: "AnswerTime", Value: c.answerText.format(c.Answer)})
	}
	if st == StateEnded && !c.End.IsZero() {
		dst = append(dst, amiwire.Field{Key: "EndTime", Value: c.End.Format(timeLayout)})
		if !c.Start.IsZero() {
			dst = append(dst, amiwire.Field{Key: "Duration", Value: seconds(c.End.Sub(c.Start))})
		}
		if !c.Answer.IsZero() {
			dst = append(dst, amiwire.Field{Key: "AnsweredDuration", Value: seconds(c.End.Sub(c.Answer))})
		}
	}
	caller, callee := c.Caller(), c.Callee()
	dst = append(dst,
		amiwire.Field{Key: "CallerNum", Value: caller.Num},
		amiwire.Field{Key: "CallerName", Value: caller.Name},
		amiwire.Field{Key: "CalleeNum", Value: callee.Num},
		amiwire.Field{Key: "CalleeName", Value: callee.Name},
	)
	for _, id := range c.OtherLinkedids {
		dst = append(dst, amiwire.Field{Key: "OtherLinkedid", Value: id})
	}
	if c.DroppedChannels > 0 {
		dst = append(dst, amiwire.Field{Key: "DroppedChannels", Value: strconv.Itoa(c.DroppedChannels)})
	}
	for _, ch := range c.Channels {
		dst = append(dst,
			amiwire.Field{Key: "Channel", Value: ch.Name},
			amiwire.Field{Key: "Uniqueid", Value: ch.Uniqueid},
			amiwire.Field{Key: "ChannelStateDesc", Value: ch.StateDesc},
			amiwire.Field{Key: "Application", Value: ch.Application},
			amiwire.Field{Key: "AppData", Value: ch.AppData},
			amiwire.Field{Key: "BridgeId", Value: ch.BridgeID},
			amiwire.Field{Key: "DialStatus", Value: ch.DialStatus},
			amiwire.Field{Key: "ChannelStatus", Value: string(ch.Status)},
			amiwire.Field{Key: "Cause", Value: ch.Cause},
			amiwire.Field{Key: "Cause-txt", Value: ch.CauseText},
		)
	}
	return dst
}

// Packet returns the call as a packet (see AppendFields), with "@host"
// first when the call has a host.
func (c *Call) Packet() amiwire.Packet {
	f := make([]amiwire.Field, 0, 16+10*len(c.Channels))
	if c.Host != "" {
		f = append(f, amiwire.Field{Key: KeyHost, Value: c.Host})
	}
	return amiwire.Packet{Fields: c.AppendFields(f)}
}

// timeText keeps a time's text so that a call's every record does not
// format it anew.
type timeText struct {
	t    time.Time
	text string
}

func (tt *timeText) format(t time.Time) string {
	if tt.text == "" || !tt.t.Equal(t) || tt.t.Location() != t.Location() {
		tt.t, tt.text = t, t.Format(timeLayout)
	}
	return tt.text
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// seconds renders d as seconds with three decimals, "5.505".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Round(time.Millisecond).Seconds(), 'f', 3, 64)
}

// ChangeKind says what happened to a call.
type ChangeKind string

// The kinds of change.
const (
	// Start: a call was seen for the first time.
	Start ChangeKind = "start"
	// Update: something shown in the call's record changed.
	Update ChangeKind = "update"
	// End: the call is over (and forgotten).
	End ChangeKind = "end"
)

// Reason says why a call started or ended.
type Reason string

// The reasons.
const (
	// ReasonNew: a start from the Newchannel of the call's first channel.
	ReasonNew Reason = "new"
	// ReasonMidcall: a start from an event of a call that was already
	// under way, say when a capture or a connection begins mid-call.
	ReasonMidcall Reason = "midcall"
	// ReasonSnapshot: a start from a CoreShowChannels snapshot.
	ReasonSnapshot Reason = "snapshot"
	// ReasonHangup: an end because every channel hung up.
	ReasonHangup Reason = "hangup"
	// ReasonLost: an end because a snapshot no longer had the call's
	// channels: it ended while nobody was listening; there is no cause.
	ReasonLost Reason = "lost"
	// ReasonMerged: an end because the call turned out to be part of
	// another one (Change.Into), which now holds its channels.
	ReasonMerged Reason = "merged"
)

// Change is one change to a call. One Feed reports at most one change per
// call: the call as it is after the packet.
type Change struct {
	Kind   ChangeKind
	Reason Reason // set for Start and End; "" for Update
	Call   *Call
	// Into is, for an End with ReasonMerged, the call that took this one's
	// channels.
	Into *Call
}

// AppendFields appends the change as packet fields to dst: "@host" (when
// the call has one), "@change", "@reason" (when set), "@into" (when
// merged), then the call's fields (Call.AppendFields).
func (ch Change) AppendFields(dst []amiwire.Field) []amiwire.Field {
	if ch.Call.Host != "" {
		dst = append(dst, amiwire.Field{Key: KeyHost, Value: ch.Call.Host})
	}
	dst = append(dst, amiwire.Field{Key: KeyChange, Value: string(ch.Kind)})
	if ch.Reason != "" {
		dst = append(dst, amiwire.Field{Key: KeyReason, Value: string(ch.Reason)})
	}
	if ch.Into != nil {
		dst = append(dst, amiwire.Field{Key: KeyInto, Value: ch.Into.Linkedid})
	}
	return ch.Call.AppendFields(dst)
}

// Packet returns the change as a packet (see AppendFields) that owns its
// memory: it stays valid after the Correlator moves on.
func (ch Change) Packet() amiwire.Packet {
	return amiwire.Packet{Fields: ch.AppendFields(make([]amiwire.Field, 0, 20+10*len(ch.Call.Channels)))}
}
