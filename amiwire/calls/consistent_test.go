package calls

import (
	"fmt"
	"slices"
)

// consistent checks the Correlator's indexes against its calls.
func (c *Correlator) consistent() error {
	primaries := 0
	for k, call := range c.calls {
		if k.host != call.Host || !call.hasLinkedid(k.id) {
			return fmt.Errorf("Linkedid %s/%s indexes call %s/%s", k.host, k.id, call.Host, call.Linkedid)
		}
		if k.id != call.Linkedid {
			continue
		}
		primaries++
		live := 0
		for _, ch := range call.Channels {
			if ch.call != call {
				return fmt.Errorf("channel %s of call %s points to call %v", ch.Name, call.Linkedid, ch.call)
			}
			if ch.live() {
				live++
				if c.chans[key{call.Host, ch.Uniqueid}] != ch {
					return fmt.Errorf("live channel %s of call %s not indexed", ch.Name, call.Linkedid)
				}
			}
		}
		if live != call.nlive || live == 0 {
			return fmt.Errorf("call %s: %d channels live, counted %d", call.Linkedid, live, call.nlive)
		}
		if len(call.Channels)-live > MaxEndedChannels {
			return fmt.Errorf("call %s keeps %d hung-up channels", call.Linkedid, len(call.Channels)-live)
		}
	}
	if primaries != c.ncall {
		return fmt.Errorf("%d calls indexed, %d counted", primaries, c.ncall)
	}
	for k, ch := range c.chans {
		if ch.call == nil || ch.Uniqueid != k.id || ch.call.Host != k.host || c.calls[key{k.host, ch.call.Linkedid}] != ch.call {
			return fmt.Errorf("channel %s/%s indexed but its call is not up", k.host, k.id)
		}
	}
	for k, call := range c.bridges {
		if c.calls[key{call.Host, call.Linkedid}] != call || k.host != call.Host || !slices.Contains(call.bridges, k.id) {
			return fmt.Errorf("bridge %s/%s indexes call %s, which is not up or not in it", k.host, k.id, call.Linkedid)
		}
		if len(call.bridges) > maxBridges {
			return fmt.Errorf("call %s is under %d bridges", call.Linkedid, len(call.bridges))
		}
	}
	if len(c.goneSet) > goneSize || len(c.intern) > internMax || len(c.freeCalls) > freeMax || len(c.freeChans) > freeMax {
		return fmt.Errorf("bounded tables grew: gone %d, intern %d, free %d/%d", len(c.goneSet), len(c.intern), len(c.freeCalls), len(c.freeChans))
	}
	return nil
}
