package amisim

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// scriptRun is a scripted call in progress: its script and slot values.
type scriptRun struct {
	sc      *script
	vals    []string
	sp      callSpec
	oc      outcome
	respond func(ok bool) // answers a synchronous Originate; nil when async or already done
	started chan struct{} // closed once the events before the wait are out
}

// scriptFor returns the script an Originate of Local/exten@context plays,
// and whether there is one: the extensions of the recordings' dialplan
// that the pair simulation (hold, short, flood, queue) does not play, and
// every extension that dialplan lacks.
func (sim *Simulator) scriptFor(exten, context string) (*script, outcome, bool) {
	if context == "default" {
		switch exten {
		case "hold", "short", "flood", "queue":
			return nil, outcome{}, false
		}
		if sc, ok := sim.scripts[exten]; ok && exten != "" {
			return sc, scriptOutcomes[exten], true
		}
	}
	return sim.scripts[""], scriptOutcomes[""], true
}

// startScripted plays a recorded call for an Originate: the events up to
// the outcome at once, the rest (talk's hangup after ${LEN} seconds, the
// ring timeout of noanswer) on the simulator's clock. respond answers the
// action (ok: Success, else "Originate failed"); nil for no answer.
func (sim *Simulator) startScripted(sc *script, oc outcome, sp callSpec, respond func(ok bool)) {
	sim.mu.Lock()
	if sim.closed {
		sim.mu.Unlock()
		return
	}
	vals := make([]string, sc.nslots)
	epoch := strconv.FormatInt(sim.start.Unix(), 10) + "."
	for _, s := range sc.uids {
		sim.nextUniq++
		vals[s] = epoch + strconv.Itoa(sim.nextUniq)
	}
	if sp.channelID != "" {
		// As Asterisk names a Local pair given ChannelId only.
		vals[sc.uids[0]] = sp.channelID
		vals[sc.uids[1]] = sp.channelID + ";2"
		if sp.otherChannelID != "" {
			vals[sc.uids[1]] = sp.otherChannelID
		}
	}
	for _, s := range sc.chans {
		sim.nextLocal++
		vals[s] = localNumber(sim.nextLocal)
	}
	if sc.bridge >= 0 {
		sim.nextBridge++
		vals[sc.bridge] = fmt.Sprintf("%08x-5a1e-4a3b-8c2d-%012x", sim.start.Unix(), sim.nextBridge)
	}
	wait := 5 * time.Second // talk's ${LEN} default
	for name, s := range sc.named {
		switch name {
		case "len":
			vals[s] = "5"
			for _, v := range sp.vars {
				if v[0] == "LEN" {
					vals[s] = v[1]
				}
			}
			if f, err := strconv.ParseFloat(vals[s], 64); err == nil && f >= 0 {
				wait = time.Duration(f * float64(time.Second))
			}
		case "exten":
			vals[s] = sp.exten
		case "context":
			vals[s] = sp.context
		}
	}
	if oc.reason == 3 {
		wait = sp.timeout
	}
	c := &simCall{device: "Local/" + sp.exten + "@" + sp.context}
	c.run = &scriptRun{sc: sc, vals: vals, sp: sp, oc: oc, started: make(chan struct{})}
	sim.calls[c] = struct{}{}
	sim.processed++
	sim.mu.Unlock()

	async := sp.async && respond != nil
	if !sp.async {
		c.run.respond = respond
	}
	if sc.split < len(sc.events) {
		// Set before anything is sent, so that a test that has seen the
		// events can advance a ManualClock and know the rest is due.
		sim.after(wait, func() { sim.emitAll(sim.finishCall(c, nil, 0)) })
	}
	if async {
		respond(true)
	}
	sim.emitAll(sim.playScript(c, sc.events[:sc.split]))
	close(c.run.started)
	if sc.split == len(sc.events) {
		sim.mu.Lock()
		c.ended = true
		delete(sim.calls, c)
		sim.mu.Unlock()
		if r := c.run.respond; r != nil {
			r(oc.answered)
		}
	} else if r := c.run.respond; r != nil && oc.answered {
		c.run.respond = nil
		r(true)
	}
}

// finishScripted plays the rest of a scripted call at once (its wait is
// over, or its channel was hung up); sim.mu is held and c.ended was false.
func (sim *Simulator) finishScripted(c *simCall) []*amitest.EncodedEvent {
	c.ended = true
	delete(sim.calls, c)
	sc := c.run.sc
	sim.mu.Unlock()
	<-c.run.started // the wait began after them: play nothing before
	evs := sim.playScript(c, sc.events[sc.split:])
	sim.mu.Lock()
	if r := c.run.respond; r != nil {
		c.run.respond = nil
		sim.mu.Unlock()
		r(c.run.oc.answered)
		sim.mu.Lock()
	}
	return evs
}

// playScript renders events of a scripted call, keeps the simulator's
// channels as they say (Newchannel, Newstate, Newexten, BridgeEnter,
// BridgeLeave, Hangup), and returns them to be emitted.
func (sim *Simulator) playScript(c *simCall, events []tmplEvent) []*amitest.EncodedEvent {
	run := c.run
	out := make([]*amitest.EncodedEvent, 0, len(events))
	for _, t := range events {
		switch {
		case t.originate:
			if run.oc.answered && run.sp.app != "" {
				// Answered, the ;1 side runs the Originate's
				// application, which Asterisk reports with no Newexten.
				sim.mu.Lock()
				if c.one != nil {
					c.one.app, c.one.appData = run.sp.app, run.sp.data
				}
				sim.mu.Unlock()
			}
			if run.sp.async && run.sp.originate {
				out = append(out, amitest.EncodeEvent(sim.originateResponse(run)))
			}
		case t.vars:
			for _, v := range run.sp.vars {
				run.vals[run.sc.named["var"]], run.vals[run.sc.named["value"]] = v[0], v[1]
				out = append(out, sim.applyEvent(c, t.appendTo(nil, run.vals), t.priv))
			}
		default:
			out = append(out, sim.applyEvent(c, t.appendTo(nil, run.vals), t.priv))
		}
	}
	return out
}

// originateResponse is the OriginateResponse of a scripted call, shaped as
// originate-outcomes.server.ami has it.
func (sim *Simulator) originateResponse(run *scriptRun) amiwire.Packet {
	sp := run.sp
	or := event("OriginateResponse", "call,all")
	if sp.actionID != "" {
		or.Add("ActionID", sp.actionID)
	}
	uid := sp.channelID
	if run.oc.answered {
		or.Add("Response", "Success")
		or.Add("Channel", "Local/"+sp.exten+"@"+sp.context+"-"+run.vals[run.sc.chans[0]]+";1")
		uid = run.vals[run.sc.uids[0]]
	} else {
		or.Add("Response", "Failure")
		or.Add("Channel", sp.channel)
		if uid == "" {
			uid = "<unknown>"
		}
	}
	if sp.app != "" {
		or.Add("Application", sp.app)
		or.Add("Data", sp.data)
	} else {
		or.Add("Context", sp.targetContext)
		or.Add("Exten", sp.targetExten)
	}
	or.Add("Reason", strconv.Itoa(run.oc.reason))
	or.Add("Uniqueid", uid)
	or.Add("CallerIDNum", "<unknown>")
	or.Add("CallerIDName", "<unknown>")
	return or
}

// applyEvent updates the simulator's channels after a scripted event
// (Newchannel, Newstate, Newexten, Hangup) and returns the event ready to
// emit.
func (sim *Simulator) applyEvent(c *simCall, raw []byte, priv string) *amitest.EncodedEvent {
	ev := amitest.NewRawEvent(raw, priv)
	name, _, _ := bytes.Cut(raw[len("Event: "):], []byte("\r\n"))
	switch string(name) {
	case "Newchannel", "Newstate", "Newexten", "BridgeEnter", "BridgeLeave", "Hangup":
	default:
		return ev
	}
	p, err := amiwire.NewReader(bytes.NewReader(raw)).ReadPacket()
	if err != nil {
		return ev
	}
	channel := p.Get("Channel")
	sim.mu.Lock()
	defer sim.mu.Unlock()
	if string(name) == "Newchannel" {
		ch := &simChannel{name: channel, context: p.Get("Context"), exten: p.Get("Exten"),
			uniqueid: p.Get("Uniqueid"), linkedid: p.Get("Linkedid"), created: sim.clock.Now(), call: c}
		ch.state, _ = strconv.Atoi(p.Get("ChannelState"))
		ch.priority, _ = strconv.Atoi(p.Get("Priority"))
		if c.one == nil {
			c.one = ch
		} else if c.two == nil {
			c.two = ch
		}
		sim.chans = append(sim.chans, ch)
		return ev
	}
	for i, ch := range sim.chans {
		if ch.call != c || ch.name != channel {
			continue
		}
		switch string(name) {
		case "Newstate":
			ch.state, _ = strconv.Atoi(p.Get("ChannelState"))
		case "Newexten":
			ch.app, ch.appData = p.Get("Application"), p.Get("AppData")
			ch.priority, _ = strconv.Atoi(p.Get("Priority"))
		case "BridgeEnter":
			ch.bridgeID = p.Get("BridgeUniqueid")
		case "BridgeLeave":
			ch.bridgeID = ""
		case "Hangup":
			copy(sim.chans[i:], sim.chans[i+1:])
			sim.chans[len(sim.chans)-1] = nil
			sim.chans = sim.chans[:len(sim.chans)-1]
		}
		break
	}
	return ev
}

// emitAll emits encoded events in order.
func (sim *Simulator) emitAll(evs []*amitest.EncodedEvent) {
	for _, ev := range evs {
		sim.srv.EmitEncoded(ev)
	}
}
