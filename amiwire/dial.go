package amiwire

import (
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/ami-cli/ami/amiwire/internal/wire"

	"github.com/ami-cli/ami/amiwire/amitls"
)

// ConnState is a connection's state: what Dial found out (whom it
// reached, what the server said it is, how its TLS certificate was
// accepted, how long each step took) and its queue of async events.
type ConnState struct {
	RemoteAddr net.Addr     // the server's address
	Banner     string       // the server's greeting line, e.g. "Asterisk Call Manager/11.0.0"
	Version    string       // the AMI version of the banner, e.g. "11.0.0"
	CertCheck  amitls.Check // how the TLS certificate was accepted: amitls.NotChecked for plain TCP

	ConnectTime time.Duration // TCP connect, and the TLS handshake when there is one
	BannerTime  time.Duration // from connected to banner read
	LoginTime   time.Duration // from banner read to the login response

	// The async event queue, at the time of the ConnState call.
	EventsQueued  int    // events waiting to be taken by NextEvents
	EventsDropped uint64 // events a full queue has dropped since Dial (see Config.DropWhenFull)
}

// Dial connects to an AMI server, reads its banner and logs in. The context
// bounds all of it: its deadline applies to every read and write until the
// login is answered, and cancelling it aborts Dial. Every failure is a
// *ConnectError naming the stage; a refused login is StageLogin with the
// *ActionError of the Login inside. Events that arrive during login are kept for
// NextEvents.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	return dial(ctx, cfg, nil)
}

// MaxPipelined bounds the bytes of the actions DialSend writes behind the
// Login. They go out before the Login is answered, while the server reads
// no further (Asterisk reads on only once the login has succeeded), so
// they must fit in the sockets' buffers; the answers they start are read
// once the Login's has arrived.
const MaxPipelined = 8 << 10

// ErrPipelineTooBig is DialSend's refusal of actions that come to more
// than MaxPipelined bytes; nothing has been dialled. Dial, then Send them.
var ErrPipelineTooBig = errors.New("actions too big to send with the login")

// DialSend is Dial that sends actions in the same write as the Login (for
// Challenge, the Login that follows the Challenge), and with logoff a Logoff
// behind them as Send sends one: logging in and sending cost one
// round trip instead of two. Collect each result from its Pending, in
// order, as after Send. The actions are checked first: one that cannot be
// sent gives the *FieldError of ValidateSend, two with the same ActionID an
// error, actions longer than MaxPipelined ErrPipelineTooBig, and nothing
// is dialled.
//
// The server handles the actions only once the Login has succeeded. A
// refused Login is the *ConnectError of Dial: Asterisk then ends the
// session without reading on, so none of the actions ran.
func DialSend(ctx context.Context, cfg Config, actions []Packet, logoff bool) (*Client, []*Pending, error) {
	size := 0
	seen := make(map[string]bool, len(actions))
	var enc []byte
	for _, a := range actions {
		if err := ValidateSend(a); err != nil {
			return nil, nil, err
		}
		// Encoded as the write will encode it.
		b, err := appendAction(enc[:0], a)
		if err != nil {
			return nil, nil, err
		}
		enc = b
		size += len(b)
		if id := a.Get("ActionID"); id == "" {
			size += len("ActionID: \r\n") + 32 // the one prepare adds
		} else if seen[id] {
			return nil, nil, fmt.Errorf("%s: ActionID %q is already in flight", a.Get("Action"), id)
		} else {
			seen[id] = true
		}
	}
	if size > MaxPipelined {
		return nil, nil, fmt.Errorf("%w (%d bytes, at most %d)", ErrPipelineTooBig, size, MaxPipelined)
	}
	pl := &pipeline{actions: actions, logoff: logoff}
	c, err := dial(ctx, cfg, pl)
	if err != nil {
		return nil, nil, err
	}
	return c, pl.pending, nil
}

// pipeline is what DialSend sends behind the Login.
type pipeline struct {
	actions []Packet
	logoff  bool
	pending []*Pending // of actions, in order
	wire    []Packet   // the actions (and the Logoff) as written
}

// register prepares the pipeline's actions on c and enters them in its
// tables, right before the Login that carries them is written, so that
// their ActionIDs follow the Login's.
func (pl *pipeline) register(c *Client) error {
	for _, a := range pl.actions {
		p, w := c.prepare(a)
		if err := c.register(p); err != nil {
			return err
		}
		pl.pending = append(pl.pending, p)
		pl.wire = append(pl.wire, w)
	}
	if pl.logoff {
		c.loggedOff.Store(true)
		p, w := c.prepare(NewAction("Logoff"))
		if err := c.register(p); err != nil {
			return err
		}
		c.logoff.Store(p)
		pl.wire = append(pl.wire, w)
	}
	return nil
}

// dial is Dial, with pl (when not nil) written behind the Login.
func dial(ctx context.Context, cfg Config, pl *pipeline) (*Client, error) {
	fail := func(stage string, err error) error {
		// A deadline that cut a read short shows up as an i/o timeout,
		// maybe before ctx itself says it is done; say what it was.
		cause := ctx.Err()
		var ne net.Error
		if dl, ok := ctx.Deadline(); ok && cause == nil && errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(dl) {
			cause = context.DeadlineExceeded
		}
		if cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%v)", cause, err)
		}
		return &ConnectError{Stage: stage, Addr: cfg.Addr, Err: err}
	}
	d := cfg.Dialer
	if d == nil {
		d = &net.Dialer{}
	}
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fail(StageConnect, err)
	}
	// Until the login is done, the context's deadline and cancellation
	// apply to every read and write on the connection.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	check := amitls.NotChecked
	if cfg.TLS != nil {
		tc, accepted := clientTLS(cfg)
		tlsConn := tls.Client(conn, tc)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fail(StageTLS, notTLS(err))
		}
		conn = tlsConn
		check = accepted()
	}
	c := newClient(conn, cfg)
	c.state.RemoteAddr = conn.RemoteAddr()
	c.state.CertCheck = check
	c.state.ConnectTime = time.Since(start)

	mark := time.Now()
	if cfg.TLS == nil {
		c.state.Banner, err = c.readBannerOrProbe(ctx, d, bannerGrace+c.state.ConnectTime)
	} else {
		c.state.Banner, err = c.r.ReadBanner()
	}
	if c.state.Banner != "" {
		c.state.Version, _ = wire.BannerVersion(c.state.Banner)
		c.trace.line('<', c.state.Banner)
	}
	if err != nil {
		conn.Close()
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w by the server before the banner", ErrClosed)
		}
		if errors.Is(err, ErrServerTLS) {
			return nil, &ConnectError{Stage: StageBanner, Addr: cfg.Addr, Err: err}
		}
		return nil, fail(StageBanner, err)
	}
	c.state.BannerTime = time.Since(mark)

	mark = time.Now()
	if err := c.login(pl); err != nil {
		conn.Close()
		return nil, fail(StageLogin, err)
	}
	c.state.LoginTime = time.Since(mark)
	if !stop() {
		conn.Close()
		return nil, fail(StageLogin, ctx.Err())
	}
	_ = conn.SetDeadline(time.Time{})
	go c.readLoop()
	if cfg.KeepAlive > 0 {
		c.heard.Store(int64(time.Since(c.born))) // the login's answer
		go c.keepAlive()
	}
	return c, nil
}

// readBannerOrProbe reads the banner of a plain connection. When none has
// come after grace, it tries a TLS handshake with the same address on a
// second connection, and if that succeeds it stops waiting: the error is
// then ErrServerTLS, wrapped, rather than a timeout at the deadline.
func (c *Client) readBannerOrProbe(ctx context.Context, d *net.Dialer, grace time.Duration) (string, error) {
	var (
		mu     sync.Mutex
		read   bool // the banner read has returned
		isTLS  bool // the probe found TLS before it returned
		probed = make(chan struct{})
	)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	timer := time.AfterFunc(grace, func() {
		defer close(probed)
		if !probeTLS(pctx, d, c.cfg.Addr) {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !read {
			isTLS = true
			_ = c.conn.SetReadDeadline(time.Unix(1, 0)) // ends the read below
		}
	})
	banner, err := c.r.ReadBanner()
	mu.Lock()
	read = true
	found := isTLS
	mu.Unlock()
	cancel()
	if !timer.Stop() {
		<-probed
	}
	if !found {
		return banner, err
	}
	if err != nil {
		return "", fmt.Errorf("%w: no banner after %v, and a TLS handshake with the same address succeeded", ErrServerTLS, grace.Round(time.Millisecond))
	}
	// The banner came just as the probe cut the read short: undo the cut.
	if ctx.Err() == nil {
		dl, _ := ctx.Deadline() // none: the zero time, no deadline
		_ = c.conn.SetReadDeadline(dl)
	}
	return banner, nil
}

// login runs Challenge (for MD5) and Login synchronously, before the read
// loop starts, with pl's actions (if any) in the Login's write. Events that
// arrive meanwhile go to the event queue.
func (c *Client) login(pl *pipeline) error {
	login := NewAction("Login", "ActionID", c.nextID(), "Username", c.cfg.Username)
	switch {
	case c.cfg.Challenge:
		resp, err := c.roundTrip(NewAction("Challenge", "ActionID", c.nextID(), "AuthType", "MD5"))
		if err != nil {
			return fmt.Errorf("challenge: %w", err)
		}
		if resp.isError() {
			return &ActionError{Action: "Challenge", ActionID: resp.Get("ActionID"), Message: resp.Get("Message"), Response: resp}
		}
		challenge := resp.Get("Challenge")
		if challenge == "" {
			return &ProtocolError{Offset: c.r.Offset(), Msg: "challenge: response without a Challenge header"}
		}
		sum := md5.Sum([]byte(challenge + c.cfg.Secret))
		login.Add("AuthType", "md5")
		login.Add("Key", hex.EncodeToString(sum[:]))
	default:
		login.Add("Secret", c.cfg.Secret)
	}
	events := c.cfg.Events
	if events == "" {
		events = "off"
	}
	login.Add("Events", events)
	var behind []Packet
	if pl != nil {
		if err := pl.register(c); err != nil {
			return err
		}
		behind = pl.wire
	}
	resp, err := c.roundTrip(login, behind...)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if resp.isError() {
		return &ActionError{Action: "Login", ActionID: resp.Get("ActionID"), Message: resp.Get("Message"), Response: resp}
	}
	return nil
}

// roundTrip writes an action, and the registered actions behind it in the
// same write, and reads until the first one's response, queueing the
// events met on the way. Only for use before the read loop runs.
func (c *Client) roundTrip(a Packet, behind ...Packet) (Packet, error) {
	c.wmu.Lock()
	err := c.writeLocked(context.Background(), append([]Packet{a}, behind...)...)
	c.wmu.Unlock()
	if err != nil {
		return Packet{}, err
	}
	id := a.Get("ActionID")
	for i := 0; i < 100000; i++ {
		p, err := c.r.ReadPacket()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = fmt.Errorf("%w by the server", ErrClosed)
			}
			return Packet{}, err
		}
		c.trace.packet('<', p)
		switch p.kind() {
		case kindResponse:
			if p.Get("ActionID") == id || p.Get("ActionID") == "" {
				return p, nil
			}
			// Not ours: an action behind a, answered out of turn, or
			// nobody's (routeResponse drops it).
			c.routeResponse(p)
		case kindEvent:
			c.events.push(p, c.r.seq, false) // nobody can make room before Dial returns
		}
	}
	return Packet{}, &ProtocolError{Offset: c.r.Offset(), Msg: "no response to " + a.Get("Action")}
}
