package amiwire

import (
	"errors"
	"fmt"
)

// ErrClosed is returned for operations on a connection that has been closed,
// by either side. Errors that wrap it say what was in progress.
var ErrClosed = errors.New("connection closed")

// ProtocolError means the byte stream broke the AMI framing: a missing or
// foreign banner, a packet cut off by the end of the stream, and the like.
type ProtocolError struct {
	Offset int64  // byte offset in the stream where the problem was seen
	Msg    string // what was wrong
	Err    error  // underlying cause, if any (io.ErrUnexpectedEOF, ...)
}

// Error returns "protocol error at byte N: what", and the cause after a colon.
func (e *ProtocolError) Error() string {
	s := fmt.Sprintf("protocol error at byte %d: %s", e.Offset, e.Msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *ProtocolError) Unwrap() error { return e.Err }

// Limit names one of the Reader's size limits.
type Limit string

// The limits a Reader enforces.
const (
	LimitLine    Limit = "line length"
	LimitPacket  Limit = "packet size"
	LimitHeaders Limit = "header count"
)

// LimitError means an incoming packet exceeded one of the Reader's limits.
// The Reader has already skipped the rest of the offending packet (up to the
// next empty line), so reading may continue with the next packet.
type LimitError struct {
	Limit  Limit // which limit
	Max    int   // its value
	Offset int64 // byte offset of the start of the offending packet
}

// Error says which limit the packet at which offset broke, and that it was skipped.
func (e *LimitError) Error() string {
	return fmt.Sprintf("packet at byte %d exceeds the %s limit of %d; skipped", e.Offset, e.Limit, e.Max)
}

// FieldError means an outgoing packet could not be written as it is: a key or
// value would break the framing or exceed what Asterisk accepts. Nothing of
// the packet was written.
type FieldError struct {
	Key    string // offending key (may be empty)
	Index  int    // position of the field in the packet, from 0; -1 for the packet as a whole
	Reason string // what was wrong
}

// Error names the header (when one is at fault) and what is wrong with it.
func (e *FieldError) Error() string {
	if e.Index < 0 {
		return "invalid action: " + e.Reason
	}
	return fmt.Sprintf("invalid action header %q: %s", e.Key, e.Reason)
}

// ActionError is a "Response: Error" from the server.
type ActionError struct {
	Action   string // the action that failed
	ActionID string
	Message  string // the server's Message header
	Response Packet // the whole response
}

// Error returns "<action>: <the server's Message>".
func (e *ActionError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "Response: Error"
	}
	return fmt.Sprintf("%s: %s", e.Action, msg)
}

// AuthError means the server refused the login.
type AuthError struct {
	Username string
	Message  string // the server's Message, normally "Authentication failed"
}

// Error names the user and quotes the server's reason; it never holds the secret.
func (e *AuthError) Error() string {
	return fmt.Sprintf("login: authentication failed for user %q: %s", e.Username, e.Message)
}

// IncompleteListError means an event list ended before its completion event:
// the server cancelled it (EventList: Cancelled) or the connection was lost.
// The events that did arrive are returned alongside this error.
type IncompleteListError struct {
	Action    string
	Received  int   // list items that arrived
	Expected  int   // ListItems of the final event, or -1 when unknown
	Cancelled bool  // the server sent EventList: Cancelled
	Err       error // the cause when the connection was lost
}

// Error says how the list ended, and how many items came of how many announced.
func (e *IncompleteListError) Error() string {
	what := "connection lost"
	if e.Cancelled {
		what = "cancelled by the server"
	}
	exp := "unknown"
	if e.Expected >= 0 {
		exp = fmt.Sprint(e.Expected)
	}
	s := fmt.Sprintf("%s: list incomplete (%s): %d of %s items arrived", e.Action, what, e.Received, exp)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause of a lost connection.
func (e *IncompleteListError) Unwrap() error { return e.Err }

// ListCountError means a list's final event announced a number of items
// (ListItems) other than the number received. The items that did arrive
// are returned alongside this error. With async events on, items that
// carry no ActionID cannot be told from async events and are kept as
// events (see Client): EventsOn says so, and the message adds that the
// missing items may have arrived as events.
type ListCountError struct {
	Action    string
	Announced int  // ListItems of the final event
	Received  int  // list items that arrived
	EventsOn  bool // async events were on when the action was sent
}

// Error gives the count announced and the count received.
func (e *ListCountError) Error() string {
	s := fmt.Sprintf("%s: server said %d items, received %d", e.Action, e.Announced, e.Received)
	if e.EventsOn && e.Received < e.Announced {
		s += " (events are on: the missing items may have arrived as events)"
	}
	return s
}

// OverflowError means the items of an event list arrived faster than they
// were taken, until they held more memory than Config.EventBuffer allows
// (counted as Packet.HeldSize counts it). Rather than stop reading the
// socket (a server with a write timeout, like Asterisk, would then drop
// the connection) or grow, the Client ended the connection: the rest of
// the list, and every action still waiting, fail. Errors of a list cut
// short this way wrap it.
type OverflowError struct {
	Action   string // the list action
	Limit    int    // Config.EventBuffer, in bytes
	Received int    // list items that arrived before the end
}

// Error names the action, the limit and the items received.
func (e *OverflowError) Error() string {
	return fmt.Sprintf("%s: list items held passed the limit of %d bytes (taken too slowly); connection ended after %d items", e.Action, e.Limit, e.Received)
}

// Stage names the step of Dial that failed.
type Stage string

// The stages of Dial.
const (
	StageConnect Stage = "connect" // DNS lookup and TCP connect
	StageTLS     Stage = "tls"     // TLS handshake
	StageBanner  Stage = "banner"  // reading "Asterisk Call Manager/..."
	StageLogin   Stage = "login"   // Challenge and Login
)

// ConnectError is a failure of Dial: the stage, the address and the cause
// (a *net.DNSError, a syscall error, a TLS error, a *ProtocolError, an
// *AuthError, context.DeadlineExceeded, an error wrapping ErrClosed, ...).
type ConnectError struct {
	Stage Stage
	Addr  string
	Err   error
}

// Error returns "<stage> <addr>: <cause>".
func (e *ConnectError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%s %s: failed", e.Stage, e.Addr)
	}
	return fmt.Sprintf("%s %s: %v", e.Stage, e.Addr, e.Err)
}

// Unwrap returns the cause.
func (e *ConnectError) Unwrap() error { return e.Err }
