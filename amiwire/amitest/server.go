package amitest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// DefaultBanner is the greeting Asterisk 22 sends (the AMI protocol
// version, not the Asterisk version).
const DefaultBanner = "Asterisk Call Manager/11.0.0"

// User is an account of the fake server.
//
// Read and Write are class lists as in manager.conf ("call,system",
// "all"). For convenience an empty string means "all"; use "none" for no
// permission at all.
type User struct {
	Name   string
	Secret string
	Read   string
	Write  string
}

// Handler answers one action. It runs in the session's own goroutine, so
// actions of one session are handled one at a time and in order; it
// answers with the Session's helpers (Success, Error, SendList, ...).
type Handler func(s *Session, action amiwire.Packet)

// Request is an action the server received, as seen by Server.Requests and
// Server.WaitRequest.
type Request struct {
	Seq     int            // order of arrival over the whole server, from 0
	Session *Session       // the session it arrived on
	Action  amiwire.Packet // the action as read
	At      time.Time      // when it was read
}

// Options configure a Server. The zero value is a loopback server with one
// user admin/admin (all permissions), the Asterisk 22 banner and no handlers
// beyond the built-in ones (Login, Challenge, Logoff, Events, Filter, Ping).
type Options struct {
	// Addr is the listen address; "" means 127.0.0.1:0. Addresses that are
	// not loopback are refused unless AllowNonLoopback is set.
	Addr             string
	AllowNonLoopback bool

	// TLS, when set, makes the server speak TLS, like Asterisk's port 5039
	// (see SelfSignedTLS).
	TLS *tls.Config

	// Banner replaces DefaultBanner (any text; use it for a non-AMI
	// banner). The line end is added by the server.
	Banner string

	// Users are the accounts; nil means a single admin/admin with all
	// permissions.
	Users []User

	// AuthFailDelay is how long a failed login waits before its error
	// reply (Asterisk waits about a second); 0 answers at once.
	AuthFailDelay time.Duration

	// Handlers answer actions by name (case-insensitive), in addition to
	// and overriding the built-in ones. See also Server.Handle.
	Handlers map[string]Handler

	// Faults are installed on every session when it connects (see Fault).
	Faults []Fault

	// Transcript, when set, makes every session replay these raw server
	// bytes (a *.server.ami file, banner included) instead of speaking AMI
	// itself; TranscriptMode says how.
	Transcript     []byte
	TranscriptMode TranscriptMode

	// OnConnect runs in the session goroutine before the banner is sent;
	// it may install faults on the session.
	OnConnect func(s *Session)
	// OnAction runs in the session goroutine for every action read, before
	// faults and handlers.
	OnAction func(s *Session, action amiwire.Packet)
	// OnLogin runs in the session goroutine after a successful login has
	// been answered (and FullyBooted sent).
	OnLogin func(s *Session)

	// MaxQueue is how many bytes may wait for a client that does not read
	// before its session is cut off; 0 means DefaultMaxQueue.
	MaxQueue int

	// WriteTimeout bounds each write to a client; a client that does not
	// read for that long is disconnected, like Asterisk's writetimeout.
	// 0 means no limit.
	WriteTimeout time.Duration

	// Logf, when set, receives one line per notable server-side event
	// (connections, logins, faults). Secrets are never logged.
	Logf func(format string, args ...any)
}

// Server is a fake Asterisk Manager Interface server listening on a real
// TCP socket. Create it with New or NewServer; all methods are safe for
// concurrent use.
type Server struct {
	opts  Options
	ln    net.Listener
	start time.Time

	mu       sync.Mutex
	handlers map[string]route
	sessions map[*Session]struct{}
	faults   []Fault
	requests []Request
	changed  chan struct{} // closed and replaced whenever sessions or requests change
	nextID   uint64
	closed   bool

	loginHooks []func(*Session)
	closeHooks []func()

	done chan struct{}
	wg   sync.WaitGroup
}

type route struct {
	h     Handler
	write Mask
	name  string // as the handler was registered, for ListCommands
}

// New starts a server as opts describe and returns it listening.
func New(opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if !opts.AllowNonLoopback {
		if err := checkLoopback(addr); err != nil {
			return nil, err
		}
	}
	if opts.Banner == "" {
		opts.Banner = DefaultBanner
	}
	if opts.Users == nil {
		opts.Users = []User{{Name: "admin", Secret: "admin"}}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("amitest: listen: %w", err)
	}
	if opts.TLS != nil {
		ln = tls.NewListener(ln, opts.TLS)
	}
	srv := &Server{
		opts:     opts,
		ln:       ln,
		start:    time.Now(),
		handlers: make(map[string]route),
		sessions: make(map[*Session]struct{}),
		faults:   append([]Fault(nil), opts.Faults...),
		changed:  make(chan struct{}),
		done:     make(chan struct{}),
	}
	srv.Handle("Ping", handlePing)
	for name, h := range opts.Handlers {
		srv.Handle(name, h)
	}
	srv.wg.Add(1)
	go srv.serve()
	return srv, nil
}

// checkLoopback refuses listen addresses that are not on a loopback
// interface: the fake server accepts weak secrets and must not be reachable
// from the network by accident.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("amitest: listen address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("amitest: listen address %q is not loopback (set AllowNonLoopback to allow it)", addr)
	}
	return nil
}

// TB is the part of testing.TB that NewServer uses. It is spelled out here
// so that the server, which `ami mock` ships, does not link package testing.
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// NewServer is New for tests: it fails tb at once when the server cannot
// start and closes the server when the test ends.
func NewServer(tb TB, opts Options) *Server {
	tb.Helper()
	srv, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	return srv
}

// Addr returns the address the server listens on, "127.0.0.1:port".
func (srv *Server) Addr() string { return srv.ln.Addr().String() }

// Banner returns the greeting line the server sends, without its line end.
func (srv *Server) Banner() string { return srv.opts.Banner }

// Close stops the listener, closes every session at once and waits until
// all of the server's goroutines have returned. It is safe to call twice.
func (srv *Server) Close() error {
	srv.mu.Lock()
	if srv.closed {
		srv.mu.Unlock()
		srv.wg.Wait()
		return nil
	}
	srv.closed = true
	close(srv.done)
	hooks := srv.closeHooks
	srv.mu.Unlock()
	for _, h := range hooks {
		h()
	}
	srv.mu.Lock()
	err := srv.ln.Close()
	for s := range srv.sessions {
		s.conn.Close()
	}
	srv.mu.Unlock()
	srv.wg.Wait()
	return err
}

// AddLoginHook adds f to the functions run, in the session goroutine, after
// each successful login has been answered and FullyBooted sent (after
// Options.OnLogin). Nothing the session reads is handled until f returns,
// so what f writes comes before the answer to any later action.
func (srv *Server) AddLoginHook(f func(*Session)) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	srv.loginHooks = append(srv.loginHooks, f)
}

// AddCloseHook adds f to the functions Close runs, once, before it closes
// the sessions: the place to stop timers that would emit events.
func (srv *Server) AddCloseHook(f func()) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	srv.closeHooks = append(srv.closeHooks, f)
}

func (srv *Server) runLoginHooks(s *Session) {
	if srv.opts.OnLogin != nil {
		srv.opts.OnLogin(s)
	}
	srv.mu.Lock()
	hooks := srv.loginHooks
	srv.mu.Unlock()
	for _, h := range hooks {
		h(s)
	}
}

// Done is closed when Close has been called.
func (srv *Server) Done() <-chan struct{} { return srv.done }

// Handle installs h for the named action (case-insensitive), replacing any
// earlier handler. The write permission it requires is the one Asterisk 22
// registers for that action (see ActionWriteClass); use HandlePerm to set
// another. A nil h removes the handler.
func (srv *Server) Handle(action string, h Handler) {
	srv.HandlePerm(action, actionWrite[strings.ToLower(action)], h)
}

// HandlePerm is Handle with an explicit write permission: a comma-separated
// class list of which the user needs at least one ("" = none needed).
func (srv *Server) HandlePerm(action, write string, h Handler) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	key := strings.ToLower(action)
	if h == nil {
		delete(srv.handlers, key)
		return
	}
	srv.handlers[key] = route{h: h, write: ParseMask(write), name: action}
}

func (srv *Server) route(action string) (route, bool) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	r, ok := srv.handlers[strings.ToLower(action)]
	return r, ok
}

// SetFaults replaces the faults of every current session and of sessions
// that connect later. Calling it with no argument clears them.
func (srv *Server) SetFaults(faults ...Fault) {
	srv.mu.Lock()
	srv.faults = append([]Fault(nil), faults...)
	list := srv.sessionList()
	srv.mu.Unlock()
	for _, s := range list {
		s.SetFaults(faults...)
	}
}

// Sessions returns the sessions connected right now, oldest first.
func (srv *Server) Sessions() []*Session {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.sessionList()
}

// sessionList returns the sessions sorted by id; srv.mu must be held.
func (srv *Server) sessionList() []*Session {
	list := make([]*Session, 0, len(srv.sessions))
	for s := range srv.sessions {
		list = append(list, s)
	}
	for i := 1; i < len(list); i++ { // insertion sort: few sessions
		for j := i; j > 0 && list[j].id < list[j-1].id; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
	return list
}

// SessionCount returns the number of connected sessions.
func (srv *Server) SessionCount() int {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return len(srv.sessions)
}

// notify wakes every waiter; srv.mu must be held.
func (srv *Server) notify() {
	close(srv.changed)
	srv.changed = make(chan struct{})
}

// WaitForSessions blocks until exactly n sessions are connected (n = 0
// waits for every client to be gone) or ctx is done.
func (srv *Server) WaitForSessions(ctx context.Context, n int) error {
	for {
		srv.mu.Lock()
		got, ch := len(srv.sessions), srv.changed
		srv.mu.Unlock()
		if got == n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("amitest: waiting for %d sessions (have %d): %w", n, got, ctx.Err())
		}
	}
}

// Requests returns every action received so far, in order of arrival.
func (srv *Server) Requests() []Request {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return append([]Request(nil), srv.requests...)
}

// WaitRequest returns the first received action (already received or still
// to come) for which match returns true, or ctx's error. A nil match takes
// any action.
func (srv *Server) WaitRequest(ctx context.Context, match func(Request) bool) (Request, error) {
	seen := 0
	for {
		srv.mu.Lock()
		reqs, ch := srv.requests[seen:], srv.changed
		seen = len(srv.requests)
		srv.mu.Unlock()
		for _, r := range reqs {
			if match == nil || match(r) {
				return r, nil
			}
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return Request{}, fmt.Errorf("amitest: waiting for an action: %w", ctx.Err())
		}
	}
}

// WaitAction is WaitRequest for the first action with the given name
// (case-insensitive).
func (srv *Server) WaitAction(ctx context.Context, name string) (Request, error) {
	return srv.WaitRequest(ctx, func(r Request) bool { return strings.EqualFold(r.Action.Get("Action"), name) })
}

func (srv *Server) record(s *Session, p amiwire.Packet) {
	srv.mu.Lock()
	srv.requests = append(srv.requests, Request{Seq: len(srv.requests), Session: s, Action: p, At: time.Now()})
	srv.notify()
	srv.mu.Unlock()
}

// Emit sends the event ev to every logged-in session allowed to see it: the
// classes of its Privilege header must all be in the user's read permission
// and in the session's event mask, and the session's filters must let it
// through. An event without a Privilege header goes to every session whose
// events are on. The event is encoded once.
func (srv *Server) Emit(ev amiwire.Packet) {
	srv.EmitEncoded(EncodeEvent(ev))
}

// EmitRaw writes b as it is to every logged-in session, ignoring event
// masks and filters (for malformed or hand-made streams).
func (srv *Server) EmitRaw(b []byte) {
	for _, s := range srv.Sessions() {
		if s.LoggedIn() {
			s.WriteRaw(b)
		}
	}
}

// EmitEncoded is Emit for an event encoded beforehand: its bytes are sent
// as they are to every session that Session.Wants it.
func (srv *Server) EmitEncoded(ev *EncodedEvent) {
	for _, s := range srv.Sessions() {
		s.SendEncoded(ev)
	}
}

func (srv *Server) serve() {
	defer srv.wg.Done()
	for {
		conn, err := srv.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-srv.done:
				return
			default:
			}
			srv.logf("accept: %v", err)
			continue
		}
		srv.mu.Lock()
		if srv.closed {
			srv.mu.Unlock()
			conn.Close()
			return
		}
		srv.nextID++
		s := newSession(srv, conn, srv.nextID, srv.faults)
		srv.sessions[s] = struct{}{}
		srv.notify()
		srv.wg.Add(2)
		srv.mu.Unlock()
		go s.writer()
		go s.run()
	}
}

func (srv *Server) removeSession(s *Session) {
	srv.mu.Lock()
	if _, ok := srv.sessions[s]; ok {
		delete(srv.sessions, s)
		srv.notify()
	}
	srv.mu.Unlock()
}

// Go runs f in a goroutine that Close waits for. f should return soon after
// Done is closed.
func (srv *Server) Go(f func()) {
	srv.mu.Lock()
	if srv.closed {
		srv.mu.Unlock()
		return
	}
	srv.wg.Add(1)
	srv.mu.Unlock()
	go func() {
		defer srv.wg.Done()
		f()
	}()
}

func (srv *Server) logf(format string, args ...any) {
	if srv.opts.Logf != nil {
		srv.opts.Logf(format, args...)
	}
}

func (srv *Server) user(name string) (User, bool) {
	for _, u := range srv.opts.Users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

// Uptime returns how long the server has been running, as reported in
// FullyBooted.
func (srv *Server) Uptime() time.Duration { return time.Since(srv.start) }

// StartTime returns when the server started.
func (srv *Server) StartTime() time.Time { return srv.start }

// randomChallenge returns a decimal challenge like Asterisk's (a random
// 31-bit number).
func randomChallenge() string {
	var b [4]byte
	rand.Read(b[:])
	n := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) & 0x7fffffff
	return fmt.Sprint(n)
}

func handlePing(s *Session, a amiwire.Packet) {
	now := time.Now()
	s.Success(a, "Ping", "Pong", "Timestamp", fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000))
}
