// Package calls groups the channel events of the Asterisk Manager
// Interface into calls, the way people think of them: which channels form
// which call, what state it is in, who calls whom, and how each channel
// ended. It does no I/O: it is fed amiwire.Packets and reports changes.
//
// A Correlator keeps the calls that are up, keyed by host and Linkedid
// (Uniqueids and Linkedids are unique on one Asterisk only), from channel
// events (Newchannel, Newstate, NewCallerid, NewConnectedLine, Newexten,
// DialBegin/DialState/DialEnd with their Dest* channel, LocalBridge with
// its LocalOne*/LocalTwo* halves, BridgeEnter/BridgeLeave, Rename, Hangup,
// and any other event that carries a channel) and from CoreShowChannels
// snapshots, which rebuild the state after a reconnect without guessing.
// Each packet yields at most one change per call: Start, Update (something
// in the call's record changed) or End, after which the call is forgotten:
// memory follows the calls that are up, not how long the Correlator runs.
//
// Channels that join a call later are handled: a Local channel's other
// half (LocalBridge), a dialled channel created with a Linkedid of its own
// (DialBegin), a channel that Asterisk moves to another call's Linkedid
// when it bridges them. The call absorbed ends with ReasonMerged and the
// other lives on under both Linkedids.
//
// A call is reported as a packet-shaped record, an amiwire.Packet whose
// keys ami adds start with '@' and come first ("@host", "@change",
// "@reason") and whose channels are groups of repeated keys, so the
// package format prints calls as it prints events (JSON shows the repeated
// keys as arrays).
//
// For one call, a Tracer tells which packets belong to it, following the
// channels that join it; an Index lists the calls found in a capture. The
// helpers OriginateOutcome and CauseText turn an OriginateResponse's
// Reason and a Hangup's Cause into words.
package calls
