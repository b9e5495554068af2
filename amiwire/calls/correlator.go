package calls

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// key names a call (by Linkedid) or a channel (by Uniqueid) on one host:
// Uniqueids and Linkedids are unique on one Asterisk only.
type key struct{ host, id string }

// Limits that keep memory bounded by the calls that are up.
const (
	// goneSize is how many hung-up channels are remembered after their
	// call ended, so that a late event of one does not raise a call that
	// nothing would ever end.
	goneSize = 1024
	// internMax and internLen bound the table of short repeated strings
	// (applications, caller IDs, causes) shared between channels.
	internMax = 4096
	internLen = 64
	// freeMax bounds the recycled calls and channels kept for reuse.
	freeMax = 256
)

// Correlator groups channel events into calls and reports their starts,
// updates and ends. It does no I/O: it is fed packets (Feed) and
// CoreShowChannels snapshots (Snapshot) and keeps only the calls that are
// up, so its memory follows the calls up, not how long it has run.
//
// Channels belong to the call of their Linkedid, on the host their events
// came from. A channel that shows up with another Linkedid joins that
// call, and channels linked by a DialBegin (caller and dialled channel) or
// a LocalBridge (the two halves of a Local channel) are put in one call
// even when their Linkedids differ: the two calls merge, the one that was
// absorbed ends with ReasonMerged.
//
// A Correlator is not safe for concurrent use.
type Correlator struct {
	calls map[key]*Call    // by Linkedid, every Linkedid a call is known under
	chans map[key]*Channel // by Uniqueid, channels of calls that are up
	ncall int              // calls up (calls holds aliases too)
	peak  int              // most entries in chans since the indexes were made
	// bridges maps a bridge to the call whose channel entered it last, for
	// the bridge events that name no channel (BridgeDestroy...).
	bridges map[key]*Call

	changes []Change
	batch   uint64
	reason  Reason // the start reason of calls created by the packet being applied
	sc      scan

	intern map[string]string

	gone    [goneSize]key // ring of hung-up channels of ended calls
	goneAt  int
	goneSet map[key]struct{}

	windows map[string]*window // hosts with a snapshot under way

	retired   []*Call // ended in the last batch, recycled at the next
	freeCalls []*Call
	freeChans []*Channel
}

// window remembers, for one host between BeginSnapshot and Snapshot, the
// channels whose creation or hangup the events reported: their events are
// newer than anything the snapshot can say.
type window struct {
	seen map[string]uint8 // Uniqueid -> winCreated|winHungup
}

const (
	winCreated = 1 << iota
	winHungup
)

// New returns an empty Correlator.
func New() *Correlator {
	return &Correlator{
		calls:   make(map[key]*Call),
		chans:   make(map[key]*Channel),
		bridges: make(map[key]*Call),
		intern:  make(map[string]string),
		goneSet: make(map[key]struct{}, goneSize),
	}
}

// Len returns the number of calls up.
func (c *Correlator) Len() int { return c.ncall }

// Feed applies one packet that came from host (any name the caller uses to
// tell Asterisk servers apart; "" for one server) at time at (zero when
// unknown: the record then leaves the times out). Packets that are not
// channel events are ignored. Feed copies what it keeps, so p may be
// reused afterwards (a borrowed packet).
//
// It returns the call p belongs to (nil for none: say an event of no
// channel, or the late event of a channel whose call has ended) and the
// changes p caused, at most one per call, in order. Both, and the calls the
// changes point to, are valid until the next call of a Correlator method.
func (c *Correlator) Feed(host string, p amiwire.Packet, at time.Time) (*Call, []Change) {
	c.begin()
	c.sc.read(p)
	call := c.apply(host, &c.sc, at)
	return call, c.finish()
}

// begin starts a batch: recycles what the last one ended and clears its
// changes.
func (c *Correlator) begin() {
	c.batch++
	clear(c.changes)
	c.changes = c.changes[:0]
	for _, call := range c.retired {
		c.recycle(call)
	}
	clear(c.retired)
	c.retired = c.retired[:0]
}

// finish drops the changes that cancelled out and returns the rest.
func (c *Correlator) finish() []Change {
	out := c.changes[:0]
	for _, ch := range c.changes {
		if ch.Kind != "" {
			out = append(out, ch)
		}
	}
	clear(c.changes[len(out):])
	c.changes = out
	return out
}

// note records a change of call in this batch, folding it into the change
// already recorded for the call: a start absorbs updates, an end replaces
// what came before, and a call that both started and merged away in one
// batch is not reported at all.
func (c *Correlator) note(call *Call, kind ChangeKind, reason Reason, into *Call) {
	if call.batch == c.batch && call.chg > 0 {
		prev := &c.changes[call.chg-1]
		switch {
		case prev.Kind == "":
			return // cancelled: it was never shown
		case kind == Update:
			return // a start or an end already shows the call as it is
		case prev.Kind == Start && kind == End && reason == ReasonMerged:
			*prev = Change{}
			return
		}
		*prev = Change{Kind: kind, Reason: reason, Call: call, Into: into}
		return
	}
	call.batch = c.batch
	c.changes = append(c.changes, Change{Kind: kind, Reason: reason, Call: call, Into: into})
	call.chg = len(c.changes)
}

// touch records that something shown in call's record changed.
func (c *Correlator) touch(call *Call) { c.note(call, Update, "", nil) }

// apply dispatches one packet's scan and returns the call it belongs to.
func (c *Correlator) apply(host string, sc *scan, at time.Time) *Call {
	c.reason = ReasonMidcall
	bare := &sc.s[pBare]
	switch sc.event {
	case "":
		return nil
	case "Newchannel":
		c.reason = ReasonNew
		return callOf(c.ensure(host, bare, at, true))
	case "Hangup":
		ch := c.ensure(host, bare, at, false)
		if ch == nil {
			return nil
		}
		call := ch.call
		c.hangup(ch, sc.cause, sc.causeText, at)
		return call
	case "Rename":
		ch := c.chans[key{host, bare.get(sUniqueid)}]
		if ch == nil || sc.newname == "" {
			return nil
		}
		if ch.Name != sc.newname && ch.live() {
			ch.Name = strings.Clone(sc.newname)
			c.touch(ch.call)
		}
		return ch.call
	case "LocalBridge":
		one := c.ensure(host, &sc.s[pLocalOne], at, true)
		two := c.ensure(host, &sc.s[pLocalTwo], at, true)
		return c.join(one, two)
	case "DialBegin", "DialState", "DialEnd":
		caller := c.ensure(host, bare, at, true)
		dest := c.ensure(host, &sc.s[pDest], at, true)
		if dest != nil && dest.live() && sc.event != "DialState" {
			dialing := sc.event == "DialBegin"
			if dest.dialing != dialing {
				st := dest.call.State()
				dest.dialing = dialing
				if dest.call.State() != st {
					c.touch(dest.call)
				}
			}
			status := ""
			if !dialing {
				status = sc.dialStatus
			}
			c.setDialStatus(dest, status)
		}
		if caller == nil {
			return callOf(dest)
		}
		return c.join(caller, dest)
	case "BridgeEnter", "BridgeLeave":
		ch := c.ensure(host, bare, at, true)
		if ch == nil || !ch.live() {
			return callOf(ch)
		}
		if sc.event == "BridgeEnter" {
			c.setBridge(ch, sc.bridge)
			c.addBridge(ch.call, ch.BridgeID)
			return ch.call
		}
		c.setBridge(ch, "")
		return ch.call
	case "Newexten", "CoreShowChannel":
		ch := c.ensure(host, bare, at, true)
		if ch != nil && ch.live() {
			c.setApp(ch, bare)
			if bare.has(sBridgeID) {
				c.setBridge(ch, bare.get(sBridgeID))
				c.addBridge(ch.call, ch.BridgeID)
			}
		}
		return callOf(ch)
	case "OriginateResponse", "Cdr", "CEL":
		// These come about a channel (OriginateResponse carries no
		// Linkedid; Cdr and CEL come after the Hangup) but say nothing
		// about the call's state: they never raise a call.
		return c.lookup(host, bare)
	}
	if sc.bridge != "" && !bare.has(sUniqueid) {
		// A bridge event naming no channel: the call that is in it.
		k := key{host, sc.bridge}
		call := c.bridges[k]
		if sc.event == "BridgeDestroy" {
			delete(c.bridges, k)
		}
		return call
	}
	return callOf(c.ensure(host, bare, at, true))
}

func callOf(ch *Channel) *Call {
	if ch == nil {
		return nil
	}
	return ch.call
}

// lookup finds the call of a snapshot's channel, or else of its Linkedid,
// without creating anything.
func (c *Correlator) lookup(host string, s *snap) *Call {
	if ch := c.chans[key{host, s.get(sUniqueid)}]; ch != nil {
		return ch.call
	}
	if id := s.get(sLinkedid); id != "" {
		return c.calls[key{host, id}]
	}
	return nil
}

// ensure finds or creates the channel a snapshot describes and brings it up
// to date. A new channel joins the call of its Linkedid; when there is no
// such call, one is started only if create is set. It returns nil when the
// snapshot names no channel, or names one whose call has ended.
func (c *Correlator) ensure(host string, s *snap, at time.Time, create bool) *Channel {
	uid := s.get(sUniqueid)
	if uid == "" {
		return nil
	}
	lid := s.get(sLinkedid)
	k := key{host, uid}
	ch := c.chans[k]
	first := false
	if ch == nil {
		if lid == "" || s.get(sChannel) == "" {
			return nil
		}
		if _, gone := c.goneSet[k]; gone {
			return nil
		}
		call := c.calls[key{host, lid}]
		if call == nil && !create {
			return nil
		}
		ch = c.newChannel(host, s, at)
		if call == nil {
			call = c.newCall(host, lid, ch.Uniqueid, at)
		}
		c.addChannel(call, ch)
		if w := c.windows[host]; w != nil {
			w.seen[ch.Uniqueid] |= winCreated
		}
		first = true
	} else if lid != "" && !ch.call.hasLinkedid(lid) && ch.live() {
		c.relink(ch, lid)
	}
	if ch.live() {
		c.update(ch, s, at, first)
	}
	return ch
}

// newCall starts a call known under lid (shared with the channel's
// Uniqueid when they are equal, as for a call's first channel).
func (c *Correlator) newCall(host, lid, uid string, at time.Time) *Call {
	call := c.takeCall()
	call.Host = c.keep(host)
	if lid == uid {
		call.Linkedid = uid
	} else {
		call.Linkedid = strings.Clone(lid)
	}
	call.Start = at
	c.calls[key{call.Host, call.Linkedid}] = call
	c.ncall++
	reason := c.reason
	if reason == ReasonNew && lid != uid {
		reason = ReasonMidcall // the Newchannel of a later channel: the call began unseen
	}
	c.note(call, Start, reason, nil)
	return call
}

// newChannel makes a channel from a snapshot, its name and Uniqueid in one
// allocation.
func (c *Correlator) newChannel(host string, s *snap, at time.Time) *Channel {
	ch := c.takeChannel()
	name, uid := s.get(sChannel), s.get(sUniqueid)
	both := name + uid
	ch.Name, ch.Uniqueid = both[:len(name)], both[len(name):]
	ch.Status = ChannelLive
	ch.State = -1
	ch.Exten = c.keep(s.get(sExten))
	ch.Created = at
	return ch
}

// addChannel puts ch in call and the channel index.
func (c *Correlator) addChannel(call *Call, ch *Channel) {
	ch.call = call
	call.Channels = append(call.Channels, ch)
	if ch.live() {
		call.nlive++
	}
	c.chans[key{call.Host, ch.Uniqueid}] = ch
	c.peak = max(c.peak, len(c.chans))
	c.touch(call)
}

// update brings a live channel's state, caller ID and connected line up to
// date from a snapshot. first is set when the channel was created by this
// very snapshot: its state then is where it was found, not a change, so
// being up then does not date the answer (unless the snapshot is its
// Newchannel).
func (c *Correlator) update(ch *Channel, s *snap, at time.Time, first bool) {
	call := ch.call
	if s.has(sState) {
		if n, err := strconv.Atoi(s.get(sState)); err == nil && n != ch.State {
			ch.State = n
			ch.StateDesc = c.stateDesc(n, s.get(sStateDesc))
			c.touch(call)
			if n == 6 && !call.Answered {
				call.Answered = true
				if !first || c.reason == ReasonNew {
					call.Answer = at
				}
			}
		}
	} else if first {
		ch.StateDesc = c.keep(s.get(sStateDesc))
	}
	primary := ch == call.primary()
	set := func(dst *string, i int) {
		if !s.has(i) {
			return
		}
		v := known(s.get(i))
		if *dst != v {
			*dst = c.keep(v)
			if primary {
				c.touch(call)
			}
		}
	}
	set(&ch.CallerIDNum, sCIDNum)
	set(&ch.CallerIDName, sCIDName)
	set(&ch.ConnectedLineNum, sCLNum)
	set(&ch.ConnectedLineName, sCLName)
}

// stateDesc returns the text of a ChannelState, Asterisk's own for the
// states it has, else the one the event gave.
func (c *Correlator) stateDesc(n int, given string) string {
	if n >= 0 && n < len(stateDescs) {
		return stateDescs[n]
	}
	return c.keep(given)
}

// stateDescs are Asterisk's ChannelStateDesc texts by ChannelState.
var stateDescs = [...]string{"Down", "Rsrvd", "OffHook", "Dialing", "Ring", "Ringing", "Up", "Busy", "Dialing Offhook", "Pre-ring"}

func (c *Correlator) setApp(ch *Channel, s *snap) {
	if s.has(sApp) && ch.Application != s.get(sApp) {
		ch.Application = c.keep(s.get(sApp))
		c.touch(ch.call)
	}
	if s.has(sAppData) && ch.AppData != s.get(sAppData) {
		ch.AppData = c.keep(s.get(sAppData))
		c.touch(ch.call)
	}
}

func (c *Correlator) setBridge(ch *Channel, b string) {
	if ch.BridgeID != b {
		ch.BridgeID = strings.Clone(b) // unique: not worth interning
		c.touch(ch.call)
	}
}

func (c *Correlator) setDialStatus(ch *Channel, v string) {
	if ch.DialStatus != v {
		ch.DialStatus = c.keep(v)
		c.touch(ch.call)
	}
}

// join puts two channels that belong together in one call, merging b's
// call into a's when they differ, and returns the call.
func (c *Correlator) join(a, b *Channel) *Call {
	switch {
	case a == nil:
		return callOf(b)
	case b == nil:
		return a.call
	case a.call != b.call:
		c.merge(b.call, a.call)
	}
	return a.call
}

// relink handles a channel that shows a Linkedid its call is not known
// under: Asterisk gave it the Linkedid of a call it was bridged with. If
// that call is up, the two merge into it; else the call is known under the
// new Linkedid too.
func (c *Correlator) relink(ch *Channel, lid string) {
	call := ch.call
	if other := c.calls[key{call.Host, lid}]; other != nil {
		c.merge(call, other)
		return
	}
	id := strings.Clone(lid)
	call.OtherLinkedids = append(call.OtherLinkedids, id)
	c.calls[key{call.Host, id}] = call
	c.touch(call)
}

// merge moves everything of src into dst and ends src with ReasonMerged.
func (c *Correlator) merge(src, dst *Call) {
	for _, ch := range src.Channels {
		ch.call = dst
		dst.Channels = append(dst.Channels, ch)
	}
	for _, b := range src.bridges {
		c.dropBridge(src, b)
		c.addBridge(dst, b)
	}
	dst.nlive += src.nlive
	dst.DroppedChannels += src.DroppedChannels
	for _, id := range append([]string{src.Linkedid}, src.OtherLinkedids...) {
		dst.OtherLinkedids = append(dst.OtherLinkedids, id)
		c.calls[key{dst.Host, id}] = dst
	}
	if src.Start.Before(dst.Start) && !src.Start.IsZero() || dst.Start.IsZero() {
		dst.Start = src.Start
	}
	if src.Answer.Before(dst.Answer) && !src.Answer.IsZero() || dst.Answer.IsZero() {
		dst.Answer = src.Answer
	}
	dst.Answered = dst.Answered || src.Answered
	c.trim(dst)
	c.touch(dst)
	src.merged = true
	c.ncall--
	c.note(src, End, ReasonMerged, dst)
	c.retired = append(c.retired, src)
}

// maxBridges bounds the bridges a call is registered under, for a call
// that goes through very many.
const maxBridges = 16

// addBridge registers b as a bridge call is in, for the bridge events that
// name no channel.
func (c *Correlator) addBridge(call *Call, b string) {
	if b == "" {
		return
	}
	c.bridges[key{call.Host, b}] = call
	if slices.Contains(call.bridges, b) {
		return
	}
	if len(call.bridges) == maxBridges {
		c.dropBridge(call, call.bridges[0])
		call.bridges = slices.Delete(call.bridges, 0, 1)
	}
	call.bridges = append(call.bridges, b)
}

// dropBridge forgets bridge b if it is call's.
func (c *Correlator) dropBridge(call *Call, b string) {
	if k := (key{call.Host, b}); c.bridges[k] == call {
		delete(c.bridges, k)
	}
}

// hangup marks a channel hung up and ends its call when it was the last.
func (c *Correlator) hangup(ch *Channel, cause, text string, at time.Time) {
	if !ch.live() {
		return
	}
	call := ch.call
	ch.Status = ChannelHungup
	ch.Cause = c.keep(cause)
	if text == "" {
		text = causeTextOf(cause)
	}
	ch.CauseText = c.keep(text)
	ch.Ended = at
	ch.dialing = false
	ch.BridgeID = ""
	call.nlive--
	if w := c.windows[call.Host]; w != nil {
		w.seen[ch.Uniqueid] |= winHungup
	}
	c.touch(call)
	if call.nlive == 0 {
		c.end(call, ReasonHangup, at)
		return
	}
	c.trim(call)
}

// trim drops the oldest hung-up channels of a call beyond MaxEndedChannels.
func (c *Correlator) trim(call *Call) {
	ended := len(call.Channels) - call.nlive
	if ended <= MaxEndedChannels {
		return
	}
	out := call.Channels[:0]
	for _, ch := range call.Channels {
		if ended > MaxEndedChannels && !ch.live() {
			ended--
			call.DroppedChannels++
			c.forget(ch)
			c.putChannel(ch)
			continue
		}
		out = append(out, ch)
	}
	clear(call.Channels[len(out):])
	call.Channels = out
}

// forget removes a channel from the index and remembers it as gone.
func (c *Correlator) forget(ch *Channel) {
	k := key{ch.call.Host, ch.Uniqueid}
	if c.chans[k] == ch {
		delete(c.chans, k)
	}
	if _, dup := c.goneSet[k]; dup {
		return
	}
	old := c.gone[c.goneAt]
	if old != (key{}) {
		delete(c.goneSet, old)
	}
	c.gone[c.goneAt] = k
	c.goneAt = (c.goneAt + 1) % goneSize
	c.goneSet[k] = struct{}{}
}

// end reports a call's end and forgets it and its channels.
func (c *Correlator) end(call *Call, reason Reason, at time.Time) {
	call.End = at
	for _, ch := range call.Channels {
		c.forget(ch)
	}
	for _, b := range call.bridges {
		c.dropBridge(call, b)
	}
	delete(c.calls, key{call.Host, call.Linkedid})
	for _, id := range call.OtherLinkedids {
		delete(c.calls, key{call.Host, id})
	}
	c.ncall--
	c.note(call, End, reason, nil)
	c.retired = append(c.retired, call)
	if c.ncall == 0 {
		c.shrink()
	}
}

// shrinkAt is the size of the channel index beyond which it is made anew
// once no call is up.
const shrinkAt = 4096

// shrink replaces large indexes with small ones once no call is up: Go maps
// keep the room of their largest size.
func (c *Correlator) shrink() {
	if c.peak > shrinkAt && len(c.calls) == 0 && len(c.chans) == 0 {
		c.calls = make(map[key]*Call)
		c.chans = make(map[key]*Channel)
		c.bridges = make(map[key]*Call)
		c.peak = 0
	}
}

// keep returns a copy of s that does not share the packet's memory,
// shared between channels for short strings seen before. When the table
// is full it starts afresh, so values that stop coming do not hold it.
func (c *Correlator) keep(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := c.intern[s]; ok {
		return v
	}
	v := strings.Clone(s)
	if len(v) <= internLen {
		if len(c.intern) >= internMax {
			clear(c.intern)
		}
		c.intern[v] = v
	}
	return v
}

func (c *Correlator) takeCall() *Call {
	if n := len(c.freeCalls); n > 0 {
		call := c.freeCalls[n-1]
		c.freeCalls = c.freeCalls[:n-1]
		return call
	}
	return new(Call)
}

func (c *Correlator) takeChannel() *Channel {
	if n := len(c.freeChans); n > 0 {
		ch := c.freeChans[n-1]
		c.freeChans = c.freeChans[:n-1]
		return ch
	}
	return new(Channel)
}

func (c *Correlator) putChannel(ch *Channel) {
	*ch = Channel{}
	if len(c.freeChans) < freeMax {
		c.freeChans = append(c.freeChans, ch)
	}
}

// recycle resets an ended call (and, unless they live on in the call it
// merged into, its channels) for reuse.
func (c *Correlator) recycle(call *Call) {
	if !call.merged {
		for _, ch := range call.Channels {
			c.putChannel(ch)
		}
	}
	clear(call.Channels)
	clear(call.OtherLinkedids)
	clear(call.bridges)
	*call = Call{Channels: call.Channels[:0], OtherLinkedids: call.OtherLinkedids[:0], bridges: call.bridges[:0]}
	if len(c.freeCalls) < freeMax {
		c.freeCalls = append(c.freeCalls, call)
	}
}

// localHalf splits a Local channel's name, "Local/200@default-0000002a;1",
// into the name both halves share and the half (0 for ";1", 1 for ";2").
func localHalf(name string) (base string, half int, ok bool) {
	n := len(name)
	if n < 3 || !strings.HasPrefix(name, "Local/") || name[n-2] != ';' || (name[n-1] != '1' && name[n-1] != '2') {
		return "", 0, false
	}
	return name[:n-2], int(name[n-1] - '1'), true
}

// joinHalves puts the two halves of each Local channel of a snapshot in one
// call, as LocalBridge does for events: a snapshot has no LocalBridge, and
// the halves' Linkedids differ once one half was bridged with another call
// (Asterisk gives it that call's Linkedid). The call with more channels up
// takes the other in (on a tie, the call of the ";1" half).
func (c *Correlator) joinHalves(halves map[string][2]*Channel) {
	bases := make([]string, 0, len(halves))
	for b, h := range halves {
		if h[0] != nil && h[1] != nil && h[0].call != h[1].call {
			bases = append(bases, b)
		}
	}
	slices.Sort(bases) // merge in a stable order, whatever the map's
	for _, b := range bases {
		one, two := halves[b][0], halves[b][1]
		if one.call == two.call {
			continue // joined by an earlier pair
		}
		if two.call.nlive > one.call.nlive {
			c.merge(one.call, two.call)
		} else {
			c.merge(two.call, one.call)
		}
	}
}

// startedNow reports whether call started in the current batch.
func (c *Correlator) startedNow(call *Call) bool {
	return call.batch == c.batch && call.chg > 0 && c.changes[call.chg-1].Kind == Start
}

// BeginSnapshot tells the Correlator that a CoreShowChannels for host has
// been sent: from now until Snapshot, the events that create or hang up a
// channel are noted, and Snapshot lets them win over the snapshot, which
// may have been taken before or after them.
func (c *Correlator) BeginSnapshot(host string) {
	if c.windows == nil {
		c.windows = make(map[string]*window)
	}
	c.windows[host] = &window{seen: make(map[string]uint8)}
}

// Snapshot rebuilds host's calls from a fresh snapshot: the items of a
// CoreShowChannels list (CoreShowChannel events; other packets are
// skipped) taken at time at, say after a reconnect. Calls of host that the
// snapshot has are brought up to date (an Update when something changed),
// calls it does not have end with ReasonLost (their channels with status
// ChannelLost and no cause), channels it does not have are lost, and calls
// new to the Correlator start with ReasonSnapshot, their start time the
// snapshot's time less the oldest channel's Duration. The two halves of a
// Local channel ("...;1", "...;2") are put in one call, as LocalBridge
// does for events. Nothing is guessed: a call first seen in a snapshot has
// no answer time.
//
// After BeginSnapshot, channels the events created or hung up meanwhile
// keep what the events said. The changes are valid until the next call of a
// Correlator method.
func (c *Correlator) Snapshot(host string, items []amiwire.Packet, at time.Time) []Change {
	c.begin()
	w := c.windows[host]
	delete(c.windows, host)
	c.reason = ReasonSnapshot
	seen := make(map[string]struct{}, len(items))
	halves := make(map[string][2]*Channel)
	for _, p := range items {
		c.sc.read(p)
		if !fold(c.sc.event, "CoreShowChannel") {
			continue
		}
		s := &c.sc.s[pBare]
		uid := s.get(sUniqueid)
		if w != nil && w.seen[uid]&winHungup != 0 {
			continue // hung up after the snapshot was taken
		}
		_, existed := c.chans[key{host, uid}]
		ch := c.ensure(host, s, at, true)
		if ch == nil || !ch.live() {
			continue
		}
		seen[ch.Uniqueid] = struct{}{}
		if base, half, ok := localHalf(ch.Name); ok {
			h := halves[base]
			h[half] = ch
			halves[base] = h
		}
		c.setApp(ch, s)
		c.setBridge(ch, s.get(sBridgeID))
		c.addBridge(ch.call, ch.BridgeID)
		d, ok := parseDuration(s.get(sDuration))
		if !ok || at.IsZero() {
			continue
		}
		created := at.Add(-d)
		if !existed {
			ch.Created = created
		}
		if call := ch.call; call.Start.IsZero() || c.startedNow(call) && created.Before(call.Start) {
			call.Start = created
		}
	}
	c.joinHalves(halves)
	var lost []*Call
	for k, ch := range c.chans {
		if k.host != host || !ch.live() {
			continue
		}
		if _, ok := seen[ch.Uniqueid]; ok {
			continue
		}
		if w != nil && w.seen[ch.Uniqueid]&winCreated != 0 {
			continue // created after the snapshot was taken
		}
		ch.Status = ChannelLost
		ch.Ended = at
		ch.dialing = false
		ch.BridgeID = ""
		ch.call.nlive--
		c.touch(ch.call)
		if !slices.Contains(lost, ch.call) {
			lost = append(lost, ch.call)
		}
	}
	// End the calls in a stable order, whatever the map's.
	slices.SortFunc(lost, func(a, b *Call) int { return strings.Compare(a.Linkedid, b.Linkedid) })
	for _, call := range lost {
		if call.nlive == 0 {
			c.end(call, ReasonLost, at)
		} else {
			c.trim(call)
		}
	}
	return c.finish()
}

// AppendCalls appends the calls that are up to dst, oldest first (by start
// time, then host and Linkedid), and returns the extended slice. The calls
// are valid until the next call of a Correlator method.
func (c *Correlator) AppendCalls(dst []*Call) []*Call {
	n := len(dst)
	for k, call := range c.calls {
		if k.id == call.Linkedid {
			dst = append(dst, call)
		}
	}
	slices.SortFunc(dst[n:], compareCalls)
	return dst
}

func compareCalls(a, b *Call) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	return cmp.Or(strings.Compare(a.Host, b.Host), strings.Compare(a.Linkedid, b.Linkedid))
}
