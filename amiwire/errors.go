package amiwire

import (
	"errors"
	"fmt"
)

// ErrClosed is returned for operations on a connection that has been closed,
// by either side. Errors that wrap it say what was in progress.
var ErrClosed = errors.New("connection closed")

// ErrServerTLS means the server speaks TLS and Dial was told to speak
// plain AMI (Config.TLS is nil): no banner came, and a TLS handshake with
// the same address succeeded. Dial with Config.TLS set instead. Dial
// returns it wrapped, with how long it waited, in a *ConnectError at
// StageBanner, as soon as it knows: well before the context's deadline.
var ErrServerTLS = errors.New("the server speaks TLS")

// ErrServerPlain means the server does not speak TLS and Config.TLS is
// set: the handshake was answered with bytes that are not TLS at all,
// such as a plain AMI banner. Dial without Config.TLS, or to the server's
// TLS port, instead. Dial returns it wrapped, with the start of what the
// server sent, in a *ConnectError at StageTLS; the handshake's
// tls.RecordHeaderError is wrapped too.
var ErrServerPlain = errors.New("the server does not speak TLS")

// ErrOverflow means the items of an event list arrived faster than they
// were taken, until they held more memory than Config.EventBuffer allows.
// Rather than stop reading the socket (a server with a write timeout, like
// Asterisk, would then drop the connection) or grow, the Client ended the
// connection. The *IncompleteListError of that list wraps it, with the
// limit in bytes (its Received counts the items that arrived), and so do
// Client.Err and the errors of the other actions that were waiting, which
// fail with it.
var ErrOverflow = errors.New("list items taken too slowly")

// ProtocolError means the byte stream broke the AMI framing: a missing or
// foreign banner, a packet cut off by the end of the stream, and the like;
// or an incoming packet broke one of the Reader's size limits. In that
// last case Limit names the limit, and the Reader has skipped the rest of
// the packet (up to the next empty line), so reading may go on with the
// next one; any other ProtocolError ends the stream.
type ProtocolError struct {
	Offset int64  // byte offset in the stream where the problem was seen; for a limit, where the packet starts
	Msg    string // what was wrong
	Err    error  // underlying cause, if any (io.ErrUnexpectedEOF, ...)
	Limit  string // the size limit broken ("line length", "packet size", "header count"), or ""
	Max    int    // the value of Limit
}

// Error returns "protocol error at byte N: what", and the cause after a
// colon; for a limit, "packet at byte N exceeds the <limit> limit of
// <max>; skipped".
func (e *ProtocolError) Error() string {
	if e.Limit != "" {
		return fmt.Sprintf("packet at byte %d exceeds the %s limit of %d; skipped", e.Offset, e.Limit, e.Max)
	}
	s := fmt.Sprintf("protocol error at byte %d: %s", e.Offset, e.Msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *ProtocolError) Unwrap() error { return e.Err }

// The size limits a Reader enforces, as ProtocolError.Limit names them.
const (
	limitLine    = "line length"
	limitPacket  = "packet size"
	limitHeaders = "header count"
)

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

// ActionError is the server's "Response: Error" to an action, whichever
// it is: Do, Wait and Stream return it for theirs, and Dial returns that
// of the Login (Action "Login": the login was refused) or of the
// Challenge inside a *ConnectError at StageLogin. For a refused login
// Asterisk says "Authentication failed" whether the user, the secret or
// the user's permit/deny was at fault. No ActionError holds a secret.
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

// IncompleteListError means an event list did not arrive whole: it was
// cut short before its completion event, by the server (Cancelled: it sent
// EventList: Cancelled) or by the end of the connection (Err, which wraps
// ErrOverflow when the Client ended it because the list's items were
// taken too slowly); or it
// completed, but its final event announced a number of items (ListItems)
// other than the number received (Miscounted). With async events on,
// items that carry no ActionID cannot be told from async events and are
// kept as events (see Client): EventsOn says so, and the message of a
// miscounted list adds that the missing items may have arrived as events.
// The items that did arrive are returned alongside this error.
type IncompleteListError struct {
	Action     string
	Received   int   // list items that arrived
	Expected   int   // ListItems of the final event, or -1 when unknown
	Cancelled  bool  // the server sent EventList: Cancelled
	Miscounted bool  // the list completed, announcing Expected items, and Received differs
	EventsOn   bool  // async events were on when the action was sent
	Err        error // the cause when the connection was lost
}

// Error says how the list ended, and how many items came of how many
// announced; for a miscounted list, "<action>: server said N items,
// received M".
func (e *IncompleteListError) Error() string {
	if e.Miscounted {
		s := fmt.Sprintf("%s: server said %d items, received %d", e.Action, e.Expected, e.Received)
		if e.EventsOn && e.Received < e.Expected {
			s += " (events are on: the missing items may have arrived as events)"
		}
		return s
	}
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

// The stages of Dial, as ConnectError.Stage names them.
const (
	StageConnect = "connect" // DNS lookup and TCP connect
	StageTLS     = "tls"     // TLS handshake
	StageBanner  = "banner"  // reading "Asterisk Call Manager/..."
	StageLogin   = "login"   // Challenge and Login
)

// ConnectError is a failure of Dial: the stage, the address and the cause
// (a *net.DNSError, a syscall error, a TLS error, a *ProtocolError, the
// *ActionError of a refused Login, context.DeadlineExceeded, an error
// wrapping ErrClosed, ErrServerTLS, ...).
type ConnectError struct {
	Stage string // the step that failed: StageConnect, StageTLS, StageBanner or StageLogin
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
