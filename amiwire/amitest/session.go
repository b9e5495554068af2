package amitest

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// lingerTimeout bounds how long a session closed by the server keeps
// draining what the client still sends, so that the client sees a clean end
// of stream rather than a reset.
const lingerTimeout = 2 * time.Second

// Session is one client connection to a Server. Its methods are safe for
// concurrent use; handlers receive the session the action arrived on.
type Session struct {
	srv  *Server
	conn net.Conn
	id   uint64
	done chan struct{}

	closing atomic.Bool // the server started closing: nothing more is written
	stalled atomic.Bool // a stall fault fired: writes are dropped

	// Output queue: every write is queued and put on the wire by the
	// session's writer goroutine, so a client that does not read never
	// blocks the server (Emit, other sessions, the simulator).
	wmu    sync.Mutex // guards the queue fields
	wcond  *sync.Cond // signalled on every queue change
	queue  []outItem
	queued int       // bytes queued or being written
	cut    FaultKind // armed FaultCloseMidPacket/FaultStall: taken by the next write
	ended  bool      // the connection is gone: the writer stops

	mu        sync.Mutex // guards the fields below
	loggedIn  bool
	user      User
	readPerm  Mask
	writePerm Mask
	events    Mask
	challenge string
	include   []*regexp.Regexp
	exclude   []*regexp.Regexp
	faults    []faultState
	values    map[string]any
}

func newSession(srv *Server, conn net.Conn, id uint64, faults []Fault) *Session {
	s := &Session{srv: srv, conn: conn, id: id, done: make(chan struct{}), events: MaskAll}
	s.wcond = sync.NewCond(&s.wmu)
	s.faults = makeFaultStates(faults)
	return s
}

// ID returns the session's number, unique within its server, from 1.
func (s *Session) ID() uint64 { return s.id }

// Server returns the server the session belongs to.
func (s *Session) Server() *Server { return s.srv }

// RemoteAddr returns the client's address.
func (s *Session) RemoteAddr() net.Addr { return s.conn.RemoteAddr() }

// Done is closed when the connection has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// LoggedIn reports whether the session has logged in successfully.
func (s *Session) LoggedIn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loggedIn
}

// Username returns the name the session logged in with ("" before login).
func (s *Session) Username() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user.Name
}

// EventMask returns the classes of events the session asked for (login
// Events header or Events action); MaskAll by default.
func (s *Session) EventMask() Mask {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.events
}

// ReadPerm returns the logged-in user's read permission.
func (s *Session) ReadPerm() Mask {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readPerm
}

// SetValue stores a value on the session under key, for handlers that keep
// per-session state.
func (s *Session) SetValue(key string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = make(map[string]any)
	}
	s.values[key] = v
}

// Value returns what SetValue stored under key, or nil.
func (s *Session) Value(key string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.values[key]
}

// SessionID returns the session identifier used in security events, in
// the form Asterisk prints ("0x7f29b4001160").
func (s *Session) SessionID() string { return fmt.Sprintf("0x7f29b4%06x", s.id) }

// run is the session goroutine: banner, then read and answer actions.
func (s *Session) run() {
	defer s.srv.wg.Done()
	defer s.finish()
	srv := s.srv
	srv.logf("session %d: connected from %v", s.id, s.conn.RemoteAddr())
	if srv.opts.OnConnect != nil {
		srv.opts.OnConnect(s)
	}
	if srv.opts.Transcript != nil {
		s.runTranscript(srv.opts.Transcript, srv.opts.TranscriptMode)
		return
	}
	switch {
	case s.hasFault(FaultNoBanner):
	case s.hasFault(FaultBadBanner):
		s.WriteRaw([]byte(badBanner + "\r\n"))
	default:
		s.WriteRaw([]byte(srv.opts.Banner + "\r\n"))
	}
	rd := amiwire.NewReader(s.conn)
	for {
		p, err := rd.ReadPacket()
		if err != nil {
			var le *amiwire.ProtocolError
			if errors.As(err, &le) && le.Limit != "" {
				continue
			}
			return
		}
		if s.closing.Load() {
			continue // draining after a server-side close
		}
		s.handle(p)
	}
}

// finish closes the connection and unregisters the session.
func (s *Session) finish() {
	s.closing.Store(true)
	s.wmu.Lock()
	s.ended = true
	s.wcond.Broadcast()
	s.wmu.Unlock()
	s.conn.Close()
	s.srv.removeSession(s)
	close(s.done)
	s.srv.logf("session %d: closed", s.id)
}

// Close ends the session the way Asterisk does after Goodbye: no more
// bytes are written, the write side is shut (the client reads a clean end
// of stream), and the connection is closed once the client closes too or
// after a short linger.
func (s *Session) Close() error {
	if s.closing.Swap(true) {
		return nil
	}
	s.srv.logf("session %d: closing", s.id)
	s.enqueue(outItem{hangup: true})
	return nil
}

// hangup shuts the write side and bounds the drain; run by the writer once
// everything queued before Close is written.
func (s *Session) hangup() {
	// Both *net.TCPConn and *tls.Conn (TLS sessions: close_notify first)
	// can shut the write side alone.
	if cw, ok := s.conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		s.conn.SetReadDeadline(time.Now().Add(lingerTimeout))
		return
	}
	s.conn.Close()
}

// Abort closes the connection at once, without draining.
func (s *Session) Abort() error {
	s.closing.Store(true)
	return s.conn.Close()
}

// handle answers one action read from the client.
func (s *Session) handle(a amiwire.Packet) {
	srv := s.srv
	srv.record(s, a)
	if srv.opts.OnAction != nil {
		srv.opts.OnAction(s, a)
	}
	name := a.Get("Action")
	if name == "" {
		s.Error(a, "Missing action in request")
		return
	}
	if s.takeFault(FaultNoAnswer, a) {
		srv.logf("session %d: fault: not answering %s", s.id, name)
		return
	}
	if s.takeFault(FaultGarbage, a) {
		srv.logf("session %d: fault: garbage for %s", s.id, name)
		s.WriteRaw(garbage)
		return
	}
	if f, ok := s.takeFaultState(FaultOversizedLine, a); ok {
		s.WriteRaw(oversizedPacket(f.Size))
	}
	var arm FaultKind
	switch {
	case s.takeFault(FaultCloseMidPacket, a):
		arm = FaultCloseMidPacket
	case s.takeFault(FaultStall, a):
		arm = FaultStall
	}
	if arm != 0 {
		s.wmu.Lock()
		s.cut = arm
		s.wmu.Unlock()
	}
	s.dispatch(a)
	if arm != 0 {
		s.wmu.Lock()
		s.cut = 0
		s.wmu.Unlock()
	}
	if s.takeFault(FaultCloseAfterAnswer, a) {
		srv.logf("session %d: fault: closing after answering %s", s.id, name)
		s.Close()
	}
}

func (s *Session) dispatch(a amiwire.Packet) {
	name := a.Get("Action")
	lname := strings.ToLower(name)
	switch lname {
	case "login":
		s.login(a)
		return
	case "challenge":
		s.doChallenge(a)
		return
	case "logoff":
		s.logoff(a)
		return
	}
	s.mu.Lock()
	loggedIn, write := s.loggedIn, s.writePerm
	s.mu.Unlock()
	if !loggedIn {
		s.Error(a, "Permission denied")
		return
	}
	r, ok := s.srv.route(name)
	if !ok {
		switch lname {
		case "events":
			r, ok = route{h: (*Session).eventsAction}, true
		case "filter":
			r, ok = route{h: (*Session).filterAction, write: ParseMask("system")}, true
		}
	}
	if !ok {
		s.Error(a, "Invalid/unknown command: "+name+". Use Action: ListCommands to show available commands.")
		s.srv.Emit(s.securityEvent("RequestBadFormat", "Error", "RequestType", "Action: "+name))
		return
	}
	if r.write != 0 && write&r.write == 0 {
		s.Error(a, "Permission denied")
		s.srv.Emit(s.securityEvent("RequestNotAllowed", "Error", "RequestType", "Action: "+name))
		return
	}
	r.h(s, a)
}

// securityEvent builds a security-class event shaped like Asterisk's. The
// AccountID comes after EventVersion, except for RequestBadFormat, which
// has it last.
func (s *Session) securityEvent(name, severity string, kv ...string) amiwire.Packet {
	accountLast := name == "RequestBadFormat"
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000+0000")
	ev := amiwire.Packet{Fields: []amiwire.Field{
		{Key: "Event", Value: name},
		{Key: "Privilege", Value: "security,all"},
		{Key: "EventTV", Value: now},
		{Key: "Severity", Value: severity},
		{Key: "Service", Value: "AMI"},
		{Key: "EventVersion", Value: "1"},
	}}
	if !accountLast {
		ev.Add("AccountID", s.Username())
	}
	ev.Fields = append(ev.Fields, []amiwire.Field{
		{Key: "SessionID", Value: s.SessionID()},
		{Key: "LocalAddress", Value: amiAddr(s.conn.LocalAddr())},
		{Key: "RemoteAddress", Value: amiAddr(s.conn.RemoteAddr())},
	}...)
	for i := 0; i+1 < len(kv); i += 2 {
		ev.Add(kv[i], kv[i+1])
	}
	ev.Add("SessionTV", now)
	if accountLast {
		ev.Add("AccountID", s.Username())
	}
	return ev
}

// amiAddr renders an address as Asterisk's security events do:
// "IPV4/TCP/127.0.0.1/5038".
func amiAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	fam := "IPV4"
	if ta.IP.To4() == nil {
		fam = "IPV6"
	}
	return fam + "/TCP/" + ta.IP.String() + "/" + strconv.Itoa(ta.Port)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (s *Session) login(a amiwire.Packet) {
	srv := s.srv
	if s.LoggedIn() {
		s.Success(a, "Message", "Already authenticated")
		return
	}
	name := a.Get("Username")
	u, ok := srv.user(name)
	good := false
	if ok {
		if strings.EqualFold(a.Get("AuthType"), "md5") {
			s.mu.Lock()
			ch := s.challenge
			s.mu.Unlock()
			good = ch != "" && strings.EqualFold(strings.TrimSpace(a.Get("Key")), md5hex(ch+u.Secret))
		} else {
			good = a.Get("Secret") == u.Secret
		}
	}
	if !good {
		srv.logf("session %d: login failed for user %q", s.id, name)
		if d := srv.opts.AuthFailDelay; d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-srv.done:
				t.Stop()
				return
			}
		}
		s.Error(a, "Authentication failed")
		s.Close()
		return
	}
	events := MaskAll
	if v, ok := a.Lookup("Events"); ok && strings.TrimSpace(v) != "" {
		events = ParseMask(v)
	}
	s.mu.Lock()
	s.loggedIn = true
	s.user = u
	s.readPerm = userPerm(u.Read)
	s.writePerm = userPerm(u.Write)
	s.events = events
	s.mu.Unlock()
	srv.logf("session %d: logged in as %q", s.id, name)
	s.Success(a, "Message", "Authentication accepted")
	if s.takeFault(FaultCloseAfterLogin, a) {
		srv.logf("session %d: fault: closing after login", s.id)
		s.Close()
		return
	}
	up := strconv.Itoa(int(srv.Uptime().Seconds()))
	s.SendEvent(amiwire.Packet{Fields: []amiwire.Field{
		{Key: "Event", Value: "FullyBooted"},
		{Key: "Privilege", Value: "system,all"},
		{Key: "Uptime", Value: up},
		{Key: "LastReload", Value: up},
		{Key: "Status", Value: "Fully Booted"},
	}})
	srv.Emit(s.securityEvent("SuccessfulAuth", "Informational", "UsingPassword", "0"))
	srv.runLoginHooks(s)
}

// userPerm reads a User's Read/Write setting: "" means all.
func userPerm(v string) Mask {
	if strings.TrimSpace(v) == "" {
		return MaskAll
	}
	return ParseMask(v)
}

func (s *Session) doChallenge(a amiwire.Packet) {
	if !strings.EqualFold(a.Get("AuthType"), "md5") {
		s.Error(a, "Must specify AuthType")
		return
	}
	s.mu.Lock()
	if s.challenge == "" {
		s.challenge = randomChallenge()
	}
	ch := s.challenge
	s.mu.Unlock()
	s.Success(a, "Challenge", ch)
}

func (s *Session) logoff(a amiwire.Packet) {
	s.Respond(a, "Goodbye", "Message", "Thanks for all the fish.")
	s.Close()
}

func (s *Session) eventsAction(a amiwire.Packet) {
	m := ParseMask(a.Get("EventMask"))
	s.mu.Lock()
	s.events = m
	s.mu.Unlock()
	if m != 0 {
		s.Success(a, "Events", "On")
	} else {
		s.Success(a, "Events", "Off")
	}
}

func (s *Session) filterAction(a amiwire.Packet) {
	if !strings.EqualFold(a.Get("Operation"), "Add") {
		s.Error(a, "Unknown operation")
		return
	}
	if err := s.AddFilter(a.Get("Filter")); err != nil {
		s.Error(a, "Filter did not compile.  Check the syntax of the filter given.")
		return
	}
	s.Success(a, "Message", "Success")
}

// AddFilter adds an event filter to the session, as the Filter action does:
// a regular expression matched against the whole event text ("Event:
// Newchannel\r\nPrivilege: ..."); a leading "!" makes it an exclude
// filter. With include filters, an event must match one of them; with
// exclude filters, it must match none.
func (s *Session) AddFilter(filter string) error {
	exclude := strings.HasPrefix(filter, "!")
	re, err := regexp.Compile(strings.TrimPrefix(filter, "!"))
	if err != nil {
		return fmt.Errorf("filter: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if exclude {
		s.exclude = append(s.exclude, re)
	} else {
		s.include = append(s.include, re)
	}
	return nil
}

// EncodedEvent is an event in wire form together with the classes of its
// Privilege header: encoded once, sent to many sessions, each checked with
// Session.Wants. Make one with EncodeEvent or NewRawEvent.
type EncodedEvent struct {
	raw     []byte
	cat     Mask
	hasPriv bool
}

// EncodeEvent encodes ev as the server writes it (CRLF line ends, closing
// empty line).
func EncodeEvent(ev amiwire.Packet) *EncodedEvent {
	cat, ok := privilegeMask(ev.Get("Privilege"))
	return &EncodedEvent{raw: appendPacket(nil, ev), cat: cat, hasPriv: ok}
}

// NewRawEvent takes raw, the exact bytes of one event (closing empty line
// included), to be sent as they are; privilege is the value of its
// Privilege header ("call,all"; "" when it has none), which decides who
// may see it. The caller must not modify raw afterwards.
func NewRawEvent(raw []byte, privilege string) *EncodedEvent {
	cat, ok := privilegeMask(privilege)
	return &EncodedEvent{raw: raw, cat: cat, hasPriv: ok}
}

// Bytes returns the event's wire bytes; the caller must not modify them.
func (ev *EncodedEvent) Bytes() []byte { return ev.raw }

// Wants reports whether the session should receive ev: it is logged in
// with events on, the classes of ev's Privilege are all in the user's read
// permission and in the session's event mask, and the session's filters
// let ev through (see Server.Emit).
func (s *Session) Wants(ev *EncodedEvent) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loggedIn || s.events == 0 {
		return false
	}
	if ev.hasPriv && (s.readPerm&ev.cat != ev.cat || s.events&ev.cat != ev.cat) {
		return false
	}
	if len(s.include) > 0 {
		ok := false
		for _, re := range s.include {
			if re.Match(ev.raw) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, re := range s.exclude {
		if re.Match(ev.raw) {
			return false
		}
	}
	return true
}

// SendEncoded sends ev to this session if the session Wants it; an event
// filtered out is dropped without error.
func (s *Session) SendEncoded(ev *EncodedEvent) error {
	if !s.Wants(ev) {
		return nil
	}
	return s.write(ev.raw)
}

// SendEvent sends ev to this session if its event mask, the user's read
// permission and the session's filters allow it (see Server.Emit); an
// event filtered out is dropped without error.
func (s *Session) SendEvent(ev amiwire.Packet) error {
	return s.SendEncoded(EncodeEvent(ev))
}

// WritePacket writes p as it is, with CRLF line ends and the closing empty
// line, ignoring masks and filters. Fields with an empty Key are written as
// bare lines.
func (s *Session) WritePacket(p amiwire.Packet) error {
	return s.write(appendPacket(nil, p))
}

// WriteRaw writes b as it is.
func (s *Session) WriteRaw(b []byte) error { return s.write(b) }

// RawReply returns a Handler that answers an action with reply, written as
// it is except that every "{ActionID}" in it becomes the action's ActionID:
// for answers in shapes the other helpers do not make (older Asterisk
// versions, broken servers), written by hand byte for byte, line ends
// included.
func RawReply(reply string) Handler {
	return func(s *Session, a amiwire.Packet) {
		s.WriteRaw([]byte(strings.ReplaceAll(reply, "{ActionID}", a.Get("ActionID"))))
	}
}

// Respond writes a response: "Response: <response>", the ActionID of action
// when it has a non-empty one, then the key/value pairs kv in order.
func (s *Session) Respond(action amiwire.Packet, response string, kv ...string) error {
	p := amiwire.Packet{Fields: make([]amiwire.Field, 0, 2+len(kv)/2)}
	p.Add("Response", response)
	if id := action.Get("ActionID"); id != "" {
		p.Add("ActionID", id)
	}
	for i := 0; i < len(kv); i += 2 {
		f := amiwire.Field{Key: kv[i]}
		if i+1 < len(kv) {
			f.Value = kv[i+1]
		}
		p.Fields = append(p.Fields, f)
	}
	return s.WritePacket(p)
}

// Success writes "Response: Success", the ActionID, then kv (for example
// "Message", "Authentication accepted").
func (s *Session) Success(action amiwire.Packet, kv ...string) error {
	return s.Respond(action, "Success", kv...)
}

// Error writes "Response: Error", the ActionID and "Message: <message>".
func (s *Session) Error(action amiwire.Packet, message string) error {
	return s.Respond(action, "Error", "Message", message)
}

// outItem is one queued write.
type outItem struct {
	b      []byte
	cut    FaultKind // cut this write in half (close or stall after it)
	hangup bool      // the graceful close: shut the write side
}

// DefaultMaxQueue is how many bytes may wait for a client that does not
// read before the session is cut off (Options.MaxQueue).
const DefaultMaxQueue = 64 << 20

// write queues b for the wire (taking an armed cut fault with it). It never
// blocks on the client; a session whose queue exceeds the limit is cut off,
// as Asterisk cuts off a client that stops reading.
func (s *Session) write(b []byte) error {
	if s.closing.Load() {
		return fmt.Errorf("session %d: write: %w", s.id, amiwire.ErrClosed)
	}
	if len(b) == 0 {
		return nil
	}
	return s.enqueue(outItem{b: append([]byte(nil), b...)})
}

// WriteOwned is WriteRaw without the copy, for streams of big chunks: the
// caller must not touch b until the session's queue has drained past it
// (WaitQueued with the bytes queued after b, or Flush).
func (s *Session) WriteOwned(b []byte) error {
	if s.closing.Load() {
		return fmt.Errorf("session %d: write: %w", s.id, amiwire.ErrClosed)
	}
	return s.enqueue(outItem{b: b})
}

func (s *Session) enqueue(it outItem) error {
	limit := s.srv.opts.MaxQueue
	if limit <= 0 {
		limit = DefaultMaxQueue
	}
	s.wmu.Lock()
	if s.ended {
		s.wmu.Unlock()
		return fmt.Errorf("session %d: write: %w", s.id, amiwire.ErrClosed)
	}
	if s.queued+len(it.b) > limit {
		s.wmu.Unlock()
		s.srv.logf("session %d: client not reading, %d bytes queued: disconnecting", s.id, s.queued)
		s.Abort()
		return fmt.Errorf("session %d: write: output queue full: %w", s.id, amiwire.ErrClosed)
	}
	if it.b != nil && s.cut != 0 {
		it.cut, s.cut = s.cut, 0
	}
	s.queue = append(s.queue, it)
	s.queued += len(it.b)
	s.wcond.Broadcast()
	s.wmu.Unlock()
	return nil
}

// WaitQueued blocks until at most n bytes wait in the session's output
// queue (not yet written to the socket), or returns an error wrapping
// amiwire.ErrClosed once the session has ended. Writers of long streams
// use it to go no faster than the client reads.
func (s *Session) WaitQueued(n int) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for s.queued > n && !s.ended {
		s.wcond.Wait()
	}
	if s.ended {
		return fmt.Errorf("session %d: %w", s.id, amiwire.ErrClosed)
	}
	return nil
}

// Flush blocks until everything queued so far is on the wire (or the
// session ended).
func (s *Session) Flush() error { return s.WaitQueued(0) }

// writer is the session's writer goroutine.
func (s *Session) writer() {
	defer s.srv.wg.Done()
	for {
		s.wmu.Lock()
		for len(s.queue) == 0 && !s.ended {
			s.wcond.Wait()
		}
		if s.ended {
			s.wmu.Unlock()
			return
		}
		batch := s.queue
		s.queue = nil
		s.wmu.Unlock()
		for _, it := range batch {
			s.writeItem(it)
			s.wmu.Lock()
			s.queued -= len(it.b)
			s.wcond.Broadcast()
			s.wmu.Unlock()
		}
	}
}

func (s *Session) writeItem(it outItem) {
	switch {
	case it.hangup:
		s.hangup()
	case s.stalled.Load():
	case it.cut != 0:
		half := it.b[:(len(it.b)+1)/2]
		s.rawWrite(half)
		if it.cut == FaultStall {
			s.srv.logf("session %d: fault: stalled after %d bytes", s.id, len(half))
			s.stalled.Store(true)
			return
		}
		s.srv.logf("session %d: fault: closed after %d bytes", s.id, len(half))
		s.closing.Store(true)
		s.hangup()
	default:
		s.rawWrite(it.b)
	}
}

// rawWrite writes b, one byte per write when the drip fault is on; only
// the writer goroutine calls it.
func (s *Session) rawWrite(b []byte) error {
	if d := s.srv.opts.WriteTimeout; d > 0 {
		s.conn.SetWriteDeadline(time.Now().Add(d))
	}
	var err error
	if s.hasFault(FaultDrip) {
		for i := range b {
			if _, err = s.conn.Write(b[i : i+1]); err != nil {
				break
			}
		}
	} else {
		_, err = s.conn.Write(b)
	}
	if err != nil {
		s.Abort()
		return fmt.Errorf("session %d: write: %w", s.id, err)
	}
	return nil
}

// appendPacket appends the wire form of p: "Key: Value\r\n" per field (a
// bare "Value\r\n" for an empty key) and a final "\r\n".
func appendPacket(dst []byte, p amiwire.Packet) []byte {
	for _, f := range p.Fields {
		if f.Key != "" {
			dst = append(dst, f.Key...)
			dst = append(dst, ':', ' ')
		}
		dst = append(dst, f.Value...)
		dst = append(dst, '\r', '\n')
	}
	return append(dst, '\r', '\n')
}

// ListWriter writes an event list reply piece by piece, for lists too big
// to build at once. Get one from Session.StartList. Items are buffered and
// written in chunks of about 256 KiB, without copying: two buffers take
// turns, so at most two chunks of a list are in flight and a client that
// reads slowly slows the list down instead of filling the session's queue.
type ListWriter struct {
	s     *Session
	id    string
	hasID bool
	n     int
	buf   []byte // being filled
	spare []byte // the other buffer: queued, or written and free
	cutAt int    // close after this many items (-1: no fault)
	err   error
}

// listChunk is the size of the writes of a list (and of a replay): big
// enough that a 100,000-item list takes a few hundred writes.
const listChunk = 256 << 10

// listBuf is the capacity a list buffer needs: a chunk and the item that
// takes it past listChunk.
const listBuf = listChunk + 16<<10

// StartList writes the response that opens an event list ("Response:
// Success", ActionID, "EventList: start", "Message: <message>") and
// returns a ListWriter for the items.
func (s *Session) StartList(action amiwire.Packet, message string) *ListWriter {
	id, hasID := action.Lookup("ActionID")
	hasID = hasID && id != ""
	lw := &ListWriter{s: s, id: id, hasID: hasID, cutAt: -1}
	if f, ok := s.takeFaultState(FaultCloseMidList, action); ok {
		lw.cutAt = max(f.Size, 1)
		if f.Size < 0 {
			lw.cutAt = 0
		}
	}
	p := amiwire.Packet{}
	p.Add("Response", "Success")
	if hasID {
		p.Add("ActionID", id)
	}
	p.Add("EventList", "start")
	p.Add("Message", message)
	lw.buf = appendPacket(lw.buf, p)
	if lw.cutAt == 0 {
		lw.cut()
	}
	return lw
}

// Item appends one list item. The item gets the action's ActionID: an
// ActionID field already in the item is given the value in place (so
// "ActionID last" layouts like Status keep it last); otherwise it is
// inserted as the second line, as CoreShowChannel has it. Without an
// ActionID in the action, the item carries none.
func (lw *ListWriter) Item(item amiwire.Packet) error {
	if lw.err != nil {
		return lw.err
	}
	lw.buf = lw.appendItem(lw.buf, item)
	return lw.added()
}

// added counts the item just appended to buf and writes buf when it is
// full or a FaultCloseMidList is due.
func (lw *ListWriter) added() error {
	lw.n++
	if lw.cutAt >= 0 && lw.n >= lw.cutAt {
		return lw.cut()
	}
	if len(lw.buf) >= listChunk {
		lw.flush()
	}
	return lw.err
}

// ActionID returns the ActionID the list's items carry; ok is false when
// the action had none (or an empty one), and then items carry none.
func (lw *ListWriter) ActionID() (id string, ok bool) { return lw.id, lw.hasID }

// AppendItems appends n items, item i written in wire form by enc(dst, i)
// (its ActionID included, see ActionID), which runs with mu held. The lock
// is taken once per chunk and released for the write, so that a caller's
// state stays consistent item by item without being blocked by a slow
// client for the whole list. For lists of many thousands of items.
func (lw *ListWriter) AppendItems(mu sync.Locker, n int, enc func(dst []byte, i int) []byte) error {
	if n > 1000 && cap(lw.buf) < listBuf {
		// A big list: both buffers at their final size at once, rather
		// than grown by append through every size up to it.
		lw.buf = append(make([]byte, 0, listBuf), lw.buf...)
		lw.spare = make([]byte, 0, listBuf)
	}
	for i := 0; i < n; {
		if lw.err != nil {
			return lw.err
		}
		mu.Lock()
		for i < n && len(lw.buf) < listChunk && (lw.cutAt < 0 || lw.n < lw.cutAt) {
			lw.buf = enc(lw.buf, i)
			lw.n++
			i++
		}
		mu.Unlock()
		if lw.cutAt >= 0 && lw.n >= lw.cutAt {
			return lw.cut()
		}
		if len(lw.buf) >= listChunk {
			lw.flush()
		}
	}
	return lw.err
}

func (lw *ListWriter) appendItem(dst []byte, item amiwire.Packet) []byte {
	placed := false
	for i, f := range item.Fields {
		if strings.EqualFold(f.Key, "ActionID") {
			if lw.hasID && !placed {
				f.Value = lw.id
				placed = true
			} else {
				continue
			}
		}
		dst = appendField(dst, f)
		if i == 0 && lw.hasID && !item.Has("ActionID") {
			dst = appendField(dst, amiwire.Field{Key: "ActionID", Value: lw.id})
			placed = true
		}
	}
	return append(dst, '\r', '\n')
}

func appendField(dst []byte, f amiwire.Field) []byte {
	if f.Key != "" {
		dst = append(dst, f.Key...)
		dst = append(dst, ':', ' ')
	}
	dst = append(dst, f.Value...)
	return append(dst, '\r', '\n')
}

// Count returns the number of items written so far.
func (lw *ListWriter) Count() int { return lw.n }

// Complete writes the event that ends the list: "Event: <name>", ActionID,
// "EventList: Complete", "ListItems: <count>", then kv (for example
// "Items", "6" for StatusComplete), and flushes.
func (lw *ListWriter) Complete(name string, kv ...string) error {
	if lw.err != nil {
		return lw.err
	}
	p := amiwire.Packet{}
	p.Add("Event", name)
	if lw.hasID {
		p.Add("ActionID", lw.id)
	}
	p.Add("EventList", "Complete")
	p.Add("ListItems", strconv.Itoa(lw.n))
	for i := 0; i+1 < len(kv); i += 2 {
		p.Add(kv[i], kv[i+1])
	}
	lw.buf = appendPacket(lw.buf, p)
	lw.flush()
	return lw.err
}

// flush queues buf as it is and swaps the buffers. The spare one is
// reused only once the writer has put it on the wire: with at most this
// chunk's bytes still queued, everything queued before it is gone.
func (lw *ListWriter) flush() {
	if len(lw.buf) > 0 && lw.err == nil {
		if lw.err = lw.s.WriteOwned(lw.buf); lw.err == nil {
			lw.err = lw.s.WaitQueued(len(lw.buf))
		}
		lw.buf, lw.spare = lw.spare, lw.buf
	}
	lw.buf = lw.buf[:0]
}

// cut applies FaultCloseMidList: write what is buffered, then close.
func (lw *ListWriter) cut() error {
	lw.flush()
	lw.s.srv.logf("session %d: fault: closing mid-list after %d items", lw.s.id, lw.n)
	lw.s.Close()
	if lw.err == nil {
		lw.err = fmt.Errorf("session %d: list cut after %d items: %w", lw.s.id, lw.n, amiwire.ErrClosed)
	}
	return lw.err
}

// SendList writes a whole event list: the start response with message, the
// items (each given the ActionID as ListWriter.Item describes), and the
// completion event name with "EventList: Complete", "ListItems: N" and kv.
func (s *Session) SendList(action amiwire.Packet, message string, items []amiwire.Packet, complete string, kv ...string) error {
	lw := s.StartList(action, message)
	for _, it := range items {
		if err := lw.Item(it); err != nil {
			return err
		}
	}
	return lw.Complete(complete, kv...)
}
