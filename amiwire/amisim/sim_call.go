package amisim

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// simChannel is one simulated channel.
type simChannel struct {
	name               string
	state              int
	context, exten     string
	priority           int
	uniqueid, linkedid string
	app, appData       string
	bridgeID           string // the bridge it is in, as BridgeEnter said; "" when in none
	created            time.Time
	call               *simCall
}

// simCall is a Local channel pair: one is the ";1" side (running the
// originate's application), two the ";2" side (running the dialplan).
type simCall struct {
	one, two *simChannel
	device   string
	ended    bool
	run      *scriptRun // a recorded call being played; nil for the pair simulation
}

// callSpec describes a call to start.
type callSpec struct {
	channel        string      // the Originate's Channel
	exten, context string      // Local/exten@context
	app, data      string      // the ;1 side's application ("" = dialplan)
	vars           [][2]string // Variable: headers
	actionID       string      // Originate's ActionID (async: OriginateResponse)
	async          bool
	originate      bool // started by Originate (OriginateResponse when async)

	// targetContext and targetExten are the Originate's dialplan target
	// (when it has no Application).
	targetContext, targetExten string
	// channelID and otherChannelID are the Uniqueids the Originate asks for
	// (ChannelId, OtherChannelId); "" lets the simulator number them.
	channelID, otherChannelID string
	timeout                   time.Duration // how long the Originate lets it ring
}

func stateDesc(st int) string {
	switch st {
	case 0:
		return "Down"
	case 4:
		return "Ring"
	case 5:
		return "Ringing"
	case 6:
		return "Up"
	case 7:
		return "Busy"
	}
	return "Unknown"
}

func causeText(c int) string {
	switch c {
	case 16:
		return "Normal Clearing"
	case 17:
		return "User busy"
	case 19:
		return "User alerting, no answer"
	case 21:
		return "Call Rejected"
	case 34:
		return "Circuit/channel congestion"
	}
	return "Unknown"
}

// baseFields lists the channel snapshot headers Asterisk puts on channel
// events, each key prefixed (LocalOne, Dest, ...).
func (ch *simChannel) baseFields(prefix string) [][2]string {
	return [][2]string{
		{prefix + "Channel", ch.name},
		{prefix + "ChannelState", strconv.Itoa(ch.state)},
		{prefix + "ChannelStateDesc", stateDesc(ch.state)},
		{prefix + "CallerIDNum", "<unknown>"},
		{prefix + "CallerIDName", "<unknown>"},
		{prefix + "ConnectedLineNum", "<unknown>"},
		{prefix + "ConnectedLineName", "<unknown>"},
		{prefix + "Language", "en"},
		{prefix + "AccountCode", ""},
		{prefix + "Context", ch.context},
		{prefix + "Exten", ch.exten},
		{prefix + "Priority", strconv.Itoa(ch.priority)},
		{prefix + "Uniqueid", ch.uniqueid},
		{prefix + "Linkedid", ch.linkedid},
	}
}

// appendBase appends the wire form of baseFields(""), written out with the
// constant lines joined: lists of 100,000 channels spend their time here.
// TestAppendBase holds it to baseFields.
func (ch *simChannel) appendBase(dst []byte) []byte {
	dst = append(dst, "Channel: "...)
	dst = append(dst, ch.name...)
	dst = append(dst, "\r\nChannelState: "...)
	dst = strconv.AppendInt(dst, int64(ch.state), 10)
	dst = append(dst, "\r\nChannelStateDesc: "...)
	dst = append(dst, stateDesc(ch.state)...)
	dst = append(dst, "\r\nCallerIDNum: <unknown>\r\nCallerIDName: <unknown>\r\n"+
		"ConnectedLineNum: <unknown>\r\nConnectedLineName: <unknown>\r\n"+
		"Language: en\r\nAccountCode: \r\nContext: "...)
	dst = append(dst, ch.context...)
	dst = append(dst, "\r\nExten: "...)
	dst = append(dst, ch.exten...)
	dst = append(dst, "\r\nPriority: "...)
	dst = strconv.AppendInt(dst, int64(ch.priority), 10)
	dst = append(dst, "\r\nUniqueid: "...)
	dst = append(dst, ch.uniqueid...)
	dst = append(dst, "\r\nLinkedid: "...)
	dst = append(dst, ch.linkedid...)
	return append(dst, '\r', '\n')
}

// event builds an event: name, privilege, then kv pairs.
func event(name, priv string, kv ...[2]string) amiwire.Packet {
	p := amiwire.Packet{Fields: make([]amiwire.Field, 0, 2+len(kv))}
	p.Add("Event", name)
	p.Add("Privilege", priv)
	for _, f := range kv {
		p.Add(f[0], f[1])
	}
	return p
}

func (ch *simChannel) event(name, priv string, extra ...[2]string) amiwire.Packet {
	return event(name, priv, append(ch.baseFields(""), extra...)...)
}

func (ch *simChannel) newexten(app, data string) amiwire.Packet {
	ch.app, ch.appData = app, data
	return ch.event("Newexten", "dialplan,all", [2]string{"Extension", ch.exten}, [2]string{"Application", app}, [2]string{"AppData", data})
}

// newPair creates the two channels of a Local call; sim.mu held.
func (sim *Simulator) newPair(exten, context, channelID, otherChannelID string) *simCall {
	now := sim.clock.Now()
	sim.nextLocal++
	base := fmt.Sprintf("Local/%s@%s-%08x", exten, context, sim.nextLocal)
	epoch := sim.start.Unix()
	uid := func() string {
		sim.nextUniq++
		return strconv.FormatInt(epoch, 10) + "." + strconv.Itoa(sim.nextUniq)
	}
	c := &simCall{device: "Local/" + exten + "@" + context}
	c.one = &simChannel{name: base + ";1", context: context, exten: exten, priority: 1, created: now, call: c}
	c.one.uniqueid = uid()
	if channelID != "" {
		c.one.uniqueid = channelID
	}
	c.one.linkedid = c.one.uniqueid
	c.two = &simChannel{name: base + ";2", state: 4, context: context, exten: exten, priority: 1, created: now, call: c}
	c.two.uniqueid = uid()
	switch {
	case otherChannelID != "":
		c.two.uniqueid = otherChannelID
	case channelID != "":
		c.two.uniqueid = channelID + ";2"
	}
	c.two.linkedid = c.one.uniqueid
	sim.chans = append(sim.chans, c.one, c.two)
	sim.calls[c] = struct{}{}
	sim.processed++
	return c
}

// addHeldCall creates a Local/hold pair already up, without events.
func (sim *Simulator) addHeldCall() {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	c := sim.newPair("hold", "default", "", "")
	c.one.state, c.two.state = 6, 6
	c.one.app, c.one.appData = "Wait", "3600"
	c.two.app, c.two.appData, c.two.priority = "Wait", "3600", 3
}

// startCall creates and answers a call as in the originate-async fixture,
// emits its events (after respond, when given, has answered the action),
// and schedules its end.
func (sim *Simulator) startCall(sp callSpec, respond func()) {
	sim.mu.Lock()
	if sim.closed {
		sim.mu.Unlock()
		return
	}
	c := sim.newPair(sp.exten, sp.context, sp.channelID, sp.otherChannelID)
	one, two := c.one, c.two
	var evs []amiwire.Packet
	add := func(p ...amiwire.Packet) { evs = append(evs, p...) }
	add(one.event("Newchannel", "call,all"), two.event("Newchannel", "call,all"))
	add(one.newexten("AppDial2", "(Outgoing Line)"))
	for _, v := range sp.vars {
		add(one.event("VarSet", "dialplan,all", [2]string{"Variable", v[0]}, [2]string{"Value", v[1]}))
		add(two.event("VarSet", "dialplan,all", [2]string{"Variable", v[0]}, [2]string{"Value", v[1]}))
	}
	lb := append(one.baseFields("LocalOne"), two.baseFields("LocalTwo")...)
	lb = append(lb, [2]string{"Context", sp.context}, [2]string{"Exten", sp.exten}, [2]string{"LocalOptimization", "Yes"})
	add(event("LocalBridge", "call,all", lb...))
	add(event("DialBegin", "call,all", append(one.baseFields("Dest"), [2]string{"DialString", sp.exten + "@" + sp.context})...))
	add(two.newexten("Answer", ""))
	two.state = 6
	add(two.event("Newstate", "call,all"))
	add(event("DeviceStateChange", "call,all", [2]string{"Device", c.device}, [2]string{"State", "INUSE"}))
	one.state = 6
	add(one.event("Newstate", "call,all"))
	add(event("DialEnd", "call,all", append(one.baseFields("Dest"), [2]string{"DialStatus", "ANSWER"})...))
	app, data := sp.app, sp.data
	if app == "" {
		app, data = "Wait", "3600"
	}
	one.app, one.appData = app, data
	if sp.originate && sp.async {
		or := event("OriginateResponse", "call,all")
		if sp.actionID != "" {
			or.Add("ActionID", sp.actionID)
		}
		or.Add("Response", "Success")
		or.Add("Channel", one.name)
		if sp.app != "" {
			or.Add("Application", sp.app)
			or.Add("Data", sp.data)
		} else {
			or.Add("Context", sp.targetContext)
			or.Add("Exten", sp.targetExten)
		}
		or.Add("Reason", "4")
		or.Add("Uniqueid", one.uniqueid)
		or.Add("CallerIDNum", "<unknown>")
		or.Add("CallerIDName", "<unknown>")
		add(or)
	}
	add(event("DeviceStateChange", "call,all", [2]string{"Device", c.device}, [2]string{"State", "INUSE"}))

	// The ;2 side's dialplan.
	var twoEnds time.Duration = -1
	floodCount := 0
	switch sp.exten {
	case "short":
		two.priority = 2
		add(two.newexten("UserEvent", "TestShort,Detail: one two,Extra: a: b"))
		add(two.event("UserEvent", "user,all", [2]string{"UserEvent", "TestShort"}, [2]string{"Detail", "one two"}, [2]string{"Extra", "a: b"}))
		two.priority = 3
		add(two.newexten("Wait", "1"))
		twoEnds = time.Second
	case "flood":
		floodCount = 10
		for _, v := range sp.vars {
			if n, err := strconv.Atoi(v[1]); err == nil && strings.EqualFold(v[0], "COUNT") {
				floodCount = n
			}
		}
		two.priority = 4
		add(two.newexten("UserEvent", "Flood,Seq: ${I},Payload: lorem ipsum dolor sit amet consectetur"))
		for i := 0; i < floodCount; i++ {
			add(two.event("UserEvent", "user,all", [2]string{"UserEvent", "Flood"}, [2]string{"Seq", strconv.Itoa(i)}, [2]string{"Payload", "lorem ipsum dolor sit amet consectetur"}))
		}
		twoEnds = 0
	default:
		two.priority = 3
		add(two.newexten("Wait", "3600"))
		twoEnds = time.Hour
	}
	var oneEnds time.Duration = -1
	if strings.EqualFold(app, "Wait") {
		if n, err := strconv.ParseFloat(data, 64); err == nil && n >= 0 {
			oneEnds = time.Duration(n * float64(time.Second))
		}
	}
	sim.mu.Unlock()

	// Timers are set before anything is sent, so that a test that has seen
	// the events can advance an amitest.ManualClock and know they are due.
	if twoEnds > 0 && (oneEnds < 0 || twoEnds <= oneEnds) {
		sim.after(twoEnds, func() {
			sim.mu.Lock()
			ended := c.ended
			var ev amiwire.Packet
			if !ended {
				two.priority++
				ev = two.newexten("Hangup", "")
			}
			sim.mu.Unlock()
			if !ended {
				sim.srv.Emit(ev)
				sim.endCall(c, two, 16)
			}
		})
	}
	endOneNow := oneEnds == 0 && twoEnds != 0
	if oneEnds > 0 && (twoEnds < 0 || oneEnds < twoEnds) {
		sim.after(oneEnds, func() { sim.endCall(c, one, 16) })
	}
	if respond != nil && sp.async {
		respond()
	}
	for _, ev := range evs {
		sim.srv.Emit(ev)
	}
	if respond != nil && !sp.async {
		respond()
	}
	switch {
	case twoEnds == 0:
		sim.endCall(c, two, 16)
	case endOneNow:
		sim.endCall(c, one, 16)
	}
}

// endCall hangs up a call, starting from the channel by (its SoftHangup),
// with the events of the originate-async fixture. Ending a call twice does
// nothing.
func (sim *Simulator) endCall(c *simCall, by *simChannel, cause int) {
	sim.emitAll(sim.finishCall(c, by, cause))
}

// finishCall removes a call's channels and returns the events of its end
// (none if it had ended already). A recorded call plays the rest of its
// recording, whoever hangs up.
func (sim *Simulator) finishCall(c *simCall, by *simChannel, cause int) []*amitest.EncodedEvent {
	sim.mu.Lock()
	if c.ended {
		sim.mu.Unlock()
		return nil
	}
	if c.run != nil {
		evs := sim.finishScripted(c)
		sim.mu.Unlock()
		return evs
	}
	c.ended = true
	other := c.one
	if by == c.one {
		other = c.two
	}
	cs := [2]string{"Cause", strconv.Itoa(cause)}
	ct := [2]string{"Cause-txt", causeText(cause)}
	free := event("DeviceStateChange", "call,all", [2]string{"Device", c.device}, [2]string{"State", "NOT_INUSE"})
	evs := []amiwire.Packet{
		by.event("SoftHangupRequest", "call,all", cs),
		other.event("HangupRequest", "call,all", cs),
		by.event("Hangup", "call,all", cs, ct),
		free,
		other.event("Hangup", "call,all", cs, ct),
		free,
	}
	out := sim.chans[:0]
	for _, ch := range sim.chans {
		if ch.call != c {
			out = append(out, ch)
		}
	}
	for i := len(out); i < len(sim.chans); i++ {
		sim.chans[i] = nil
	}
	sim.chans = out
	delete(sim.calls, c)
	sim.mu.Unlock()
	enc := make([]*amitest.EncodedEvent, len(evs))
	for i, p := range evs {
		enc[i] = amitest.EncodeEvent(p)
	}
	return enc
}

// Originate starts a simulated call as the Originate action would, without
// a session: Channel is "Local/exten@context", app and data the ;1 side's
// application. Its events go to every eligible session.
func (sim *Simulator) Originate(channel, app, data string) error {
	sp, err := parseLocal(channel)
	if err != nil {
		return err
	}
	sp.app, sp.data, sp.timeout = app, data, 30*time.Second
	if sc, oc, ok := sim.scriptFor(sp.exten, sp.context); ok {
		sim.startScripted(sc, oc, sp, nil)
		return nil
	}
	sim.startCall(sp, nil)
	return nil
}

// ChannelCount returns the number of live simulated channels.
func (sim *Simulator) ChannelCount() int {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	return len(sim.chans)
}

// ChannelNames returns the names of the live simulated channels, oldest
// first.
func (sim *Simulator) ChannelNames() []string {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	out := make([]string, len(sim.chans))
	for i, ch := range sim.chans {
		out[i] = ch.name
	}
	return out
}

func parseLocal(channel string) (callSpec, error) {
	tech, rest, ok := strings.Cut(channel, "/")
	if !ok || rest == "" {
		return callSpec{}, fmt.Errorf("originate: invalid channel %q", channel)
	}
	if !strings.EqualFold(tech, "Local") {
		return callSpec{}, fmt.Errorf("originate: channel technology %q is not simulated (only Local)", tech)
	}
	rest, _, _ = strings.Cut(rest, "/") // options such as /n
	exten, context, ok := strings.Cut(rest, "@")
	if !ok || context == "" {
		context = "default"
	}
	if exten == "" {
		return callSpec{}, fmt.Errorf("originate: invalid channel %q", channel)
	}
	return callSpec{channel: channel, exten: exten, context: context}, nil
}

func (sim *Simulator) originate(s *amitest.Session, a amiwire.Packet) {
	name := a.Get("Channel")
	if name == "" {
		s.Error(a, "Channel not specified")
		return
	}
	async := amitest.ParseMask(a.Get("Async")) == amitest.MaskAll
	sp, err := parseLocal(name)
	if err != nil {
		if !async {
			s.Error(a, "Originate failed")
			return
		}
		s.Success(a, "Message", "Originate successfully queued")
		or := event("OriginateResponse", "call,all")
		if id := a.Get("ActionID"); id != "" {
			or.Add("ActionID", id)
		}
		for _, kv := range [][2]string{{"Response", "Failure"}, {"Channel", name}, {"Application", a.Get("Application")},
			{"Data", a.Get("Data")}, {"Reason", "0"}, {"Uniqueid", "<null>"}, {"CallerIDNum", "<unknown>"}, {"CallerIDName", "<unknown>"}} {
			or.Add(kv[0], kv[1])
		}
		sim.srv.Emit(or)
		return
	}
	sp.app, sp.data = a.Get("Application"), a.Get("Data")
	sp.targetContext, sp.targetExten = a.Get("Context"), a.Get("Exten")
	sp.actionID, sp.async, sp.originate = a.Get("ActionID"), async, true
	sp.channelID, sp.otherChannelID = a.Get("ChannelId"), a.Get("OtherChannelId")
	sp.timeout = 30 * time.Second // Asterisk's default
	if ms, err := strconv.Atoi(strings.TrimSpace(a.Get("Timeout"))); err == nil && ms > 0 {
		sp.timeout = time.Duration(ms) * time.Millisecond
	}
	for _, v := range a.Values("Variable") {
		// One header may set several variables, comma-separated.
		for _, kv := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(kv, "=")
			sp.vars = append(sp.vars, [2]string{k, val})
		}
	}
	if sc, oc, ok := sim.scriptFor(sp.exten, sp.context); ok {
		sim.startScripted(sc, oc, sp, func(ok bool) {
			if ok {
				s.Success(a, "Message", "Originate successfully queued")
			} else {
				s.Error(a, "Originate failed")
			}
		})
		return
	}
	sim.startCall(sp, func() { s.Success(a, "Message", "Originate successfully queued") })
}
