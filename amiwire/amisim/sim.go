package amisim

import (
	"bytes"
	"fmt"
	"github.com/ami-cli/ami/amiwire/internal/wire"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// Options configure a Simulator. The zero value is a quiet PBX with no
// calls.
type Options struct {
	// Clock drives simulated time (call durations, ring timeouts,
	// background traffic); nil means amitest.RealClock. Tests use an
	// amitest.ManualClock.
	Clock amitest.Clock

	// Calls is the number of held calls (Local/hold@default pairs running
	// Wait(3600), so twice as many channels) present from the start, without
	// events: material for CoreShowChannels, Status and "core show
	// channels", and for big-list benchmarks.
	Calls int

	// Rate starts background calls (Local/short@default, like the
	// originate-async fixture) at this many calls per second; 0 = none.
	Rate float64

	// Replay is a raw capture (as `ami listen -o raw` writes it: packets
	// back to back, maybe after a banner line, which is skipped). Its events
	// are sent, in order and filtered like any event, to every session right
	// after it logs in, less the ReceivedAt line that `listen --timestamps`
	// puts first (Asterisk sends none). Anything but an event is left out;
	// InspectReplay says what.
	Replay []byte

	// Flood sends this many UserEvent Flood events (the fixture's ~430-byte
	// event, Seq 0..Flood-1) to every session that logs in and receives
	// user-class events, right after its login, as fast as the socket takes
	// them. FloodEnd says what happens after the last one.
	Flood int

	// FloodCalls sends the events of this many short calls (Newchannel to
	// Hangup, the bytes of a recorded call; see Simulator.FloodCalls) to
	// every session that logs in, after Flood's events if any, as fast as
	// the socket takes them: material for benchmarking call correlation.
	FloodCalls int

	// FloodEnd says what happens after the last event of Flood and
	// FloodCalls.
	FloodEnd FloodEnd

	// AsteriskVersion is reported by CoreSettings and "core show version";
	// "" means "22.10.1".
	AsteriskVersion string
	// SystemName is CoreSettings' SystemName; "" leaves it empty.
	SystemName string
}

// FloodEnd says what a flood (Options.Flood, Options.FloodCalls) does
// after its last event.
type FloodEnd int

const (
	// FloodKeepOpen leaves the session open and working.
	FloodKeepOpen FloodEnd = iota
	// FloodGoodbye sends "Response: Goodbye" (as after a Logoff) and closes.
	FloodGoodbye
	// FloodClose closes the connection without a word.
	FloodClose
)

// Simulator makes an amitest.Server behave like a small Asterisk 22 PBX:
// it installs handlers for CoreSettings, CoreStatus, CoreShowChannels,
// Status, QueueStatus, Command, Originate, Hangup, UserEvent, DBPut, DBGet
// (Ping, Events, Filter, Login, Challenge and Logoff are the server's own)
// and keeps simulated Local channels whose events follow the recorded
// ones. Closing the server stops the simulator.
type Simulator struct {
	srv   *amitest.Server
	opts  Options
	clock amitest.Clock
	start time.Time

	flood   *floodTemplate
	replay  []*amitest.EncodedEvent
	version string

	mu         sync.Mutex
	chans      []*simChannel // live channels, creation order
	calls      map[*simCall]struct{}
	nextLocal  int
	nextUniq   int
	nextBridge int
	scripts    map[string]*script
	processed  int
	db         map[string]string
	stops      map[int]func() bool
	stopSeq    int
	closed     bool
}

// New installs the simulated PBX on srv and starts its background
// traffic, if any. Call it before clients connect.
func New(srv *amitest.Server, opts Options) (*Simulator, error) {
	sim := &Simulator{
		srv:       srv,
		opts:      opts,
		clock:     opts.Clock,
		calls:     make(map[*simCall]struct{}),
		db:        make(map[string]string),
		stops:     make(map[int]func() bool),
		nextLocal: 0x50,
		nextUniq:  160,
		version:   opts.AsteriskVersion,
	}
	if sim.clock == nil {
		sim.clock = amitest.RealClock()
	}
	if sim.version == "" {
		sim.version = "22.10.1"
	}
	sim.start = sim.clock.Now()
	ft, err := newFloodTemplate()
	if err != nil {
		return nil, err
	}
	sim.flood = ft
	if sim.scripts, err = compileScripts(); err != nil {
		return nil, err
	}
	if opts.Replay != nil {
		sim.replay, _ = parseReplay(opts.Replay)
	}
	handlers := map[string]amitest.Handler{
		"CoreSettings":     sim.coreSettings,
		"CoreStatus":       sim.coreStatus,
		"CoreShowChannels": sim.coreShowChannels,
		"Status":           sim.status,
		"QueueStatus":      sim.queueStatus,
		"Command":          sim.command,
		"Originate":        sim.originate,
		"Hangup":           sim.hangup,
		"UserEvent":        sim.userEvent,
		"DBPut":            sim.dbPut,
		"DBGet":            sim.dbGet,
		"ListCommands":     amitest.ListCommands,
	}
	for name, h := range handlers {
		srv.Handle(name, h)
	}
	for i := 0; i < opts.Calls; i++ {
		sim.addHeldCall()
	}
	srv.AddLoginHook(sim.onLogin)
	srv.AddCloseHook(sim.stop)
	if opts.Rate > 0 {
		sim.scheduleBackground()
	}
	return sim, nil
}

// Server returns the server the simulator runs on.
func (sim *Simulator) Server() *amitest.Server { return sim.srv }

// Clock returns the simulator's clock.
func (sim *Simulator) Clock() amitest.Clock { return sim.clock }

// stop cancels every pending timer; later timers do nothing.
func (sim *Simulator) stop() {
	sim.mu.Lock()
	sim.closed = true
	stops := sim.stops
	sim.stops = nil
	sim.mu.Unlock()
	for _, s := range stops {
		s()
	}
}

// after runs f after d of simulated time, in a goroutine the server waits
// for (real clock) or in the caller of amitest.ManualClock.Advance.
func (sim *Simulator) after(d time.Duration, f func()) {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	if sim.closed {
		return
	}
	sim.stopSeq++
	id := sim.stopSeq
	_, manual := sim.clock.(*amitest.ManualClock)
	sim.stops[id] = sim.clock.AfterFunc(d, func() {
		sim.mu.Lock()
		if sim.closed {
			sim.mu.Unlock()
			return
		}
		delete(sim.stops, id)
		sim.mu.Unlock()
		if manual {
			f()
			return
		}
		sim.srv.Go(f)
	})
}

func (sim *Simulator) scheduleBackground() {
	every := time.Duration(float64(time.Second) / sim.opts.Rate)
	if every <= 0 {
		every = time.Microsecond
	}
	sim.after(every, func() {
		sim.startCall(callSpec{exten: "short", context: "default", app: "Wait", data: "10"}, nil)
		sim.scheduleBackground()
	})
}

// onLogin runs the per-login extras: the replay and the floods.
func (sim *Simulator) onLogin(s *amitest.Session) {
	if len(sim.replay) > 0 {
		sim.sendReplay(s) // in the session goroutine: before any later answer
	}
	flood := sim.opts.Flood > 0 && s.Wants(sim.flood.probe)
	if !flood && sim.opts.FloodCalls <= 0 {
		return
	}
	sim.srv.Go(func() {
		if flood && sim.Flood(s, sim.opts.Flood) != nil {
			return
		}
		if sim.opts.FloodCalls > 0 && sim.FloodCalls(s, sim.opts.FloodCalls) != nil {
			return
		}
		switch sim.opts.FloodEnd {
		case FloodGoodbye:
			s.WritePacket(amiwire.Packet{Fields: []amiwire.Field{{Key: "Response", Value: "Goodbye"}, {Key: "Message", Value: "Thanks for all the fish."}}})
			s.Close()
		case FloodClose:
			s.Close()
		}
	})
}

func (sim *Simulator) sendReplay(s *amitest.Session) {
	var buf []byte
	for _, ev := range sim.replay {
		if !s.Wants(ev) {
			continue
		}
		buf = append(buf, ev.Bytes()...)
		if len(buf) >= replayChunk {
			if s.WaitQueued(4*replayChunk) != nil || s.WriteRaw(buf) != nil {
				return
			}
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		s.WriteRaw(buf)
	}
}

// replayChunk is the size of a replay's writes.
const replayChunk = 256 << 10

// parseEvent reads one raw packet; ok is false for anything but an event.
// The raw bytes are kept as they are.
func parseEvent(raw []byte) (*amitest.EncodedEvent, bool) {
	p, err := amiwire.NewReader(bytes.NewReader(raw)).ReadPacket()
	if err != nil || !p.Has("Event") {
		return nil, false
	}
	return amitest.NewRawEvent(raw, p.Get("Privilege")), true
}

// ---- simple actions ----

func (sim *Simulator) coreSettings(s *amitest.Session, a amiwire.Packet) {
	ver, _ := wire.BannerVersion(s.Server().Banner())
	s.Success(a,
		"AMIversion", ver,
		"AsteriskVersion", sim.version,
		"SystemName", sim.opts.SystemName,
		"CoreMaxCalls", "0",
		"CoreMaxLoadAvg", "0.000000",
		"CoreRunUser", "asterisk",
		"CoreRunGroup", "asterisk",
		"CoreMaxFilehandles", "0",
		"CoreRealTimeEnabled", "No",
		"CoreCDRenabled", "Yes",
		"CoreHTTPenabled", "No",
		"SoundsSearchCustomDir", "No",
	)
}

func (sim *Simulator) coreStatus(s *amitest.Session, a amiwire.Packet) {
	st := sim.start.UTC()
	sim.mu.Lock()
	cur, proc := len(sim.calls), sim.processed
	sim.mu.Unlock()
	s.Success(a,
		"CoreStartupDate", st.Format("2006-01-02"),
		"CoreStartupTime", st.Format("15:04:05"),
		"CoreReloadDate", st.Format("2006-01-02"),
		"CoreReloadTime", st.Format("15:04:05"),
		"CoreCurrentCalls", strconv.Itoa(cur),
		"CoreProcessedCalls", strconv.Itoa(proc),
	)
}

func (sim *Simulator) userEvent(s *amitest.Session, a amiwire.Packet) {
	name := a.Get("UserEvent")
	ev := amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: "UserEvent"}, {Key: "Privilege", Value: "user,all"}, {Key: "UserEvent", Value: name}}}
	for _, f := range a.Fields {
		if strings.EqualFold(f.Key, "Action") || strings.EqualFold(f.Key, "UserEvent") {
			continue
		}
		ev.Fields = append(ev.Fields, f)
	}
	s.Success(a, "Message", "Event Sent")
	sim.srv.Emit(ev)
}

func (sim *Simulator) dbPut(s *amitest.Session, a amiwire.Packet) {
	fam, key := a.Get("Family"), a.Get("Key")
	switch {
	case fam == "":
		s.Error(a, "No family specified")
	case key == "":
		s.Error(a, "No key specified")
	default:
		sim.mu.Lock()
		sim.db[fam+"/"+key] = a.Get("Val")
		sim.mu.Unlock()
		s.Success(a, "Message", "Updated database successfully")
	}
}

func (sim *Simulator) dbGet(s *amitest.Session, a amiwire.Packet) {
	fam, key := a.Get("Family"), a.Get("Key")
	if fam == "" {
		s.Error(a, "No family specified.")
		return
	}
	if key == "" {
		s.Error(a, "No key specified.")
		return
	}
	sim.mu.Lock()
	val, ok := sim.db[fam+"/"+key]
	sim.mu.Unlock()
	if !ok {
		s.Error(a, "Database entry not found")
		return
	}
	item := amiwire.Packet{Fields: []amiwire.Field{
		{Key: "Event", Value: "DBGetResponse"}, {Key: "Family", Value: fam},
		{Key: "Key", Value: key}, {Key: "Val", Value: val}, {Key: "ActionID"},
	}}
	s.SendList(a, "Result will follow", []amiwire.Packet{item}, "DBGetComplete")
}

// queueStatus answers with the queue-status recording's items.
func (sim *Simulator) queueStatus(s *amitest.Session, a amiwire.Packet) {
	raw, err := recording("queue-status.server.ami")
	if err != nil {
		s.Error(a, err.Error())
		return
	}
	queue := a.Get("Queue")
	lw := s.StartList(a, "Queue status will follow")
	rd := amiwire.NewReader(bytes.NewReader(raw))
	if _, err := rd.ReadBanner(); err != nil {
		return
	}
	for {
		p, err := rd.ReadPacket()
		if err != nil {
			break
		}
		if p.Get("ActionID") != "qs-2" || !p.Has("Event") || p.Get("Event") == "QueueStatusComplete" {
			continue
		}
		if queue != "" && p.Get("Queue") != queue {
			continue
		}
		if lw.Item(p) != nil {
			return
		}
	}
	lw.Complete("QueueStatusComplete")
}

// ---- Command ----

func (sim *Simulator) command(s *amitest.Session, a amiwire.Packet) {
	cmd := strings.Join(strings.Fields(a.Get("Command")), " ")
	var out []string
	ok := true
	switch strings.ToLower(cmd) {
	case "core show version":
		out = []string{"Asterisk " + sim.version + " built by root @ vm on a x86_64 running Linux on 2026-11-22 21:37:51 UTC"}
	case "core show channels":
		out = sim.showChannels()
	case "core show calls":
		sim.mu.Lock()
		cur, proc := len(sim.calls), sim.processed
		sim.mu.Unlock()
		out = []string{plural(cur, "active call", "active calls"), plural(proc, "call processed", "calls processed")}
	case "core show uptime":
		up := fmtUptime(sim.clock.Now().Sub(sim.start))
		out = []string{"System uptime: " + up, "Last reload: " + up}
	case "pjsip show endpoints", "pjsip show contacts", "pjsip show aors", "pjsip show registrations":
		out = []string{"No objects found."}
	default:
		ok = false
		out = []string{fmt.Sprintf("No such command '%s' (type 'core show help %s' for other possible commands)", cmd, cmd)}
	}
	kv := []string{"Message", "Command output follows"}
	for _, l := range out {
		kv = append(kv, "Output", l)
	}
	if ok {
		s.Success(a, kv...)
	} else {
		s.Respond(a, "Error", kv...)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// fmtUptime renders a duration as the Asterisk CLI does ("14 minutes, 11
// seconds").
func fmtUptime(d time.Duration) string {
	secs := int(d.Seconds())
	type unit struct {
		n         int
		one, many string
	}
	units := []unit{
		{secs / (365 * 86400), "year", "years"},
		{secs % (365 * 86400) / (7 * 86400), "week", "weeks"},
		{secs % (7 * 86400) / 86400, "day", "days"},
		{secs % 86400 / 3600, "hour", "hours"},
		{secs % 3600 / 60, "minute", "minutes"},
	}
	var parts []string
	for _, u := range units {
		if u.n > 0 {
			parts = append(parts, plural(u.n, u.one, u.many))
		}
	}
	parts = append(parts, plural(secs%60, "second", "seconds"))
	return strings.Join(parts, ", ")
}

func (sim *Simulator) showChannels() []string {
	const format = "%-64.64s %-32.32s %-7.7s %-30.30s"
	chans := sim.snapshot()
	out := []string{fmt.Sprintf(format, "Channel", "Location", "State", "Application(Data)")}
	for i := len(chans) - 1; i >= 0; i-- {
		ch := chans[i]
		out = append(out, fmt.Sprintf(format, ch.name, ch.exten+"@"+ch.context+":"+strconv.Itoa(ch.priority),
			stateDesc(ch.state), ch.app+"("+ch.appData+")"))
	}
	sim.mu.Lock()
	calls, proc := len(sim.calls), sim.processed
	sim.mu.Unlock()
	return append(out, plural(len(chans), "active channel", "active channels"),
		plural(calls, "active call", "active calls"), plural(proc, "call processed", "calls processed"))
}

// ---- lists of channels ----

func (sim *Simulator) snapshot() []simChannel {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	out := make([]simChannel, len(sim.chans))
	for i, ch := range sim.chans {
		out[i] = *ch
	}
	return out
}

// channels returns the live channels, in creation order. Their fields
// may change: read them with sim.mu held.
func (sim *Simulator) channels() []*simChannel {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	return append([]*simChannel(nil), sim.chans...)
}

func (sim *Simulator) coreShowChannels(s *amitest.Session, a amiwire.Packet) {
	now := sim.clock.Now()
	lw := s.StartList(a, "Channels will follow")
	chans := sim.channels()
	err := lw.AppendItems(&sim.mu, len(chans), func(buf []byte, i int) []byte {
		ch := chans[i]
		buf = appendKV(buf, "Event", "CoreShowChannel")
		if id, ok := lw.ActionID(); ok {
			buf = appendKV(buf, "ActionID", id)
		}
		buf = ch.appendBase(buf)
		buf = appendKV(buf, "Application", ch.app)
		buf = appendKV(buf, "ApplicationData", ch.appData)
		buf = append(buf, "Duration: "...)
		buf = appendDuration(buf, now.Sub(ch.created))
		buf = append(buf, "\r\n"...)
		buf = appendKV(buf, "BridgeId", ch.bridgeID)
		buf = append(buf, "\r\n"...)
		return buf
	})
	if err != nil {
		return
	}
	lw.Complete("CoreShowChannelsComplete")
}

// statusKeys are the Status item's headers between the channel snapshot
// and Application, with their fixed values.
var statusKeys = [...][2]string{
	{"Type", "Local"}, {"DNID", ""}, {"EffectiveConnectedLineNum", "<unknown>"},
	{"EffectiveConnectedLineName", "<unknown>"}, {"TimeToHangup", "0"}, {"BridgeID", ""},
}

// statusTail are the Status item's fixed headers after Data.
var statusTail = [...][2]string{
	{"Nativeformats", "(slin)"}, {"Readformat", "slin"}, {"Readtrans", ""},
	{"Writeformat", "slin"}, {"Writetrans", ""}, {"Callgroup", "0"}, {"Pickupgroup", "0"},
}

func (sim *Simulator) status(s *amitest.Session, a amiwire.Packet) {
	now := sim.clock.Now()
	chans := sim.channels()
	if want := a.Get("Channel"); want != "" {
		var sel []*simChannel
		for _, ch := range chans {
			if ch.name == want { // a channel's name never changes
				sel = append(sel, ch)
			}
		}
		if len(sel) == 0 {
			s.Error(a, "No such channel")
			return
		}
		chans = sel
	}
	lw := s.StartList(a, "Channel status will follow")
	err := lw.AppendItems(&sim.mu, len(chans), func(buf []byte, i int) []byte {
		ch := chans[i]
		buf = appendKV(buf, "Event", "Status")
		buf = appendKV(buf, "Privilege", "Call")
		buf = ch.appendBase(buf)
		for _, kv := range statusKeys {
			buf = appendKV(buf, kv[0], kv[1])
		}
		buf = appendKV(buf, "Application", ch.app)
		buf = appendKV(buf, "Data", ch.appData)
		for _, kv := range statusTail {
			buf = appendKV(buf, kv[0], kv[1])
		}
		buf = append(buf, "Seconds: "...)
		buf = strconv.AppendInt(buf, int64(now.Sub(ch.created).Seconds()), 10)
		buf = append(buf, '\r', '\n')
		if id, ok := lw.ActionID(); ok {
			buf = appendKV(buf, "ActionID", id)
		}
		return append(buf, '\r', '\n')
	})
	if err != nil {
		return
	}
	n := strconv.Itoa(lw.Count())
	lw.Complete("StatusComplete", "Items", n)
}

// appendDuration appends d as CoreShowChannel's Duration: HH:MM:SS, the
// hours growing past two digits.
func appendDuration(dst []byte, d time.Duration) []byte {
	secs := max(int64(d.Seconds()), 0) // a channel created after the list began
	h, m, s := secs/3600, secs%3600/60, secs%60
	if h < 10 {
		dst = append(dst, '0')
	}
	dst = strconv.AppendInt(dst, h, 10)
	return append(dst, ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+s/10), byte('0'+s%10))
}

func appendKV(dst []byte, k, v string) []byte {
	dst = append(dst, k...)
	dst = append(dst, ':', ' ')
	dst = append(dst, v...)
	return append(dst, '\r', '\n')
}

// ---- Hangup ----

func (sim *Simulator) hangup(s *amitest.Session, a amiwire.Packet) {
	name := a.Get("Channel")
	if name == "" {
		s.Error(a, "No channel specified")
		return
	}
	cause := 16
	if c, err := strconv.Atoi(a.Get("Cause")); err == nil && c > 0 {
		cause = c
	}
	var match func(string) bool
	isRegex := len(name) > 1 && strings.HasPrefix(name, "/") && strings.HasSuffix(name, "/")
	if isRegex {
		re, err := regexp.Compile(name[1 : len(name)-1])
		if err != nil {
			s.Error(a, "Regex compile failed on: "+name)
			return
		}
		match = re.MatchString
	} else {
		match = func(n string) bool { return strings.EqualFold(n, name) }
	}
	sim.mu.Lock()
	var hit []*simChannel
	for _, ch := range sim.chans {
		if match(ch.name) {
			hit = append(hit, ch)
		}
	}
	sim.mu.Unlock()
	if len(hit) == 0 && !isRegex {
		s.Error(a, "No such channel")
		return
	}
	var evs []*amitest.EncodedEvent
	for _, ch := range hit {
		evs = append(evs, sim.finishCall(ch.call, ch, cause)...)
	}
	if isRegex {
		s.Success(a, "Message", "Channels hung up: "+strconv.Itoa(len(hit)))
	} else {
		s.Success(a, "Message", "Channel Hungup")
	}
	sim.emitAll(evs)
}
