package amiwire

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	rand "math/rand/v2"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ami-cli/ami/amiwire/amitls"
)

// DefaultEventBuffer is the size in bytes of the async event queue when
// Config.EventBuffer is 0.
const DefaultEventBuffer = 64 << 20

// Config says where and how a Client connects.
type Config struct {
	Addr string // "host:port"
	// TLS, when not nil, makes Dial speak TLS with these settings;
	// ServerName defaults to Addr's host. Dial verifies the server's
	// certificate as amitls.Config does, by crypto/tls's rules plus
	// TLSCommonName and TLSFingerprint, so VerifyPeerCertificate and
	// VerifyConnection run after that check, with the chains it verified.
	// A certificate refused gives an *amitls.CertificateError inside the
	// *ConnectError.
	TLS *tls.Config
	// TLSFingerprint, when not zero, pins the server's certificate: Dial
	// accepts exactly the certificate with this SHA-256 fingerprint and
	// checks neither its chain, its names nor its dates, as ssh trusts a
	// known host key. It needs TLS, and holds with InsecureSkipVerify too.
	TLSFingerprint amitls.Fingerprint
	// TLSCommonName lets a certificate with no subjectAltName at all, as
	// Asterisk's ast_tls_cert script makes them, match the server name by
	// its Common Name: exactly (or as the same address), or as a wildcard
	// of the whole left-most label ("*.example.net"). Its chain is
	// verified as always, and a certificate with a subjectAltName is
	// verified exactly as crypto/tls verifies it. ConnState's CertCheck
	// then says amitls.VerifiedCN.
	TLSCommonName bool
	Username      string
	Secret        string
	// Challenge logs in with an MD5 challenge (Action: Challenge, AuthType:
	// MD5), with Key = lower-case hex md5(challenge + Secret), so the
	// secret itself never crosses the wire. Without it the Login carries
	// Secret as it is: use TLS anywhere but on loopback.
	Challenge bool
	// Events is the Events header sent at login ("on", "call,system",
	// "off"); "" sends "off": no async events unless asked for. Asterisk
	// sends the events of the classes named that the user may read.
	Events string
	// EventBuffer bounds the memory, in bytes, held by the async events waiting for NextEvents (DropWhenFull
	// says what happens when they reach it), and separately by the items of
	// each event list: those not yet done with by Stream's callback, or
	// every item for Wait, which keeps them all. A list whose items reach
	// it while its consumer makes no room ends the connection: the
	// list fails with an *IncompleteListError wrapping ErrOverflow (see
	// Pending.Stream). A packet counts as its wire bytes
	// plus its Fields slice and the Packet itself (on 64-bit systems 32
	// bytes a field and 48 bytes). 0 means DefaultEventBuffer.
	EventBuffer int
	// DropWhenFull makes a full event queue drop each new async event and
	// count it (ConnState's EventsDropped). Without it the Client stops
	// reading the socket until NextEvents makes room, so that no event is
	// lost; but while an action waits for its answer (a Ping, a Logoff)
	// events that do not fit are dropped and counted instead, so that a
	// consumer that stops taking events never holds up the answers. A
	// server with a write timeout (Asterisk's default is 100 ms) may
	// disconnect a client that stops reading for long.
	DropWhenFull bool
	// Lend, for a consumer that writes each packet out and keeps none
	// (ami listen and list do), lets the Client lend it packets in memory
	// it then reuses, rather than give it packets of its own: NextEvents's
	// events are valid only until the next NextEvents call, and a Stream
	// callback's items only until it returns (keep a copy with
	// Packet.Clone). Such an event may also come with only its Event and
	// ActionID fields parsed and all its bytes in Raw (Packet.Complete
	// parses the rest). One consumer borrows at a time: the event queue
	// when Events are on, else one Stream; the others get their own
	// packets as usual. Responses and Wait's items are always the
	// caller's. A steady stream then costs no allocation per packet.
	Lend bool
	// KeepAlive, when above zero, has the Client send a Ping whenever it has
	// read nothing from the server for that long, to notice a peer that has
	// gone away without closing the connection (a dead host, a dropped NAT
	// entry): with events off or rare, nothing else would. Any answer
	// counts, even "Response: Error". A Ping without an answer within
	// KeepAliveTimeout ends the connection: Err, and whatever waits on the
	// connection (NextEvents, Wait), then give an error wrapping ErrClosed
	// and ErrNoPong. No Ping is sent once Logoff has been.
	KeepAlive time.Duration
	// KeepAliveTimeout is how long a keepalive Ping may wait for its
	// answer; 0 means KeepAlive.
	KeepAliveTimeout time.Duration
	// Trace receives every wire line both ways ("> " sent, "< " received,
	// a bare ">" or "<" line at the end of each packet), with the values
	// of Secret and Key headers replaced by "***"; nil means no trace.
	// Writes are serialised; a slow Trace slows the connection down.
	Trace  io.Writer
	Dialer *net.Dialer // nil: a zero net.Dialer
}

// Client is a logged-in AMI connection, made by Dial. It reads the socket
// all the time in its own goroutine (Asterisk drops a client that stops
// reading for its writetimeout, 100 ms by default), matches responses and
// event-list items to the actions that asked for them by ActionID, and
// queues every other event, in arrival order, for NextEvents. Many actions
// may be in flight at once. A Client is safe for concurrent use.
//
// Some answers carry no ActionID. A response without one answers the
// oldest action still waiting for its response (Asterisk answers one
// session's actions in order). While async events are off (Config.Events
// "off", or an Events action with EventMask off sent before), Asterisk
// sends nothing unasked, so:
//   - an event without ActionID that arrives while a list is in flight is
//     an item of the list whose start came last and whose completion has
//     not come yet (chan_iax2's IAXpeers sends its PeerEntry items so);
//   - text that is not a packet (no "Key: Value" first line, read as
//     Output lines; old Asterisk answers Action: Queues so) answers the
//     oldest action still waiting for its response.
//
// While events are on, neither can be told from an async event, and both
// are queued for NextEvents; a list then comes up short, which its
// ListItems count reveals (see Pending.Wait). The Reader ends such text,
// like a legacy Command reply that ends at its empty line, only when the
// next packet starts to arrive (see Reader): send the next action, a Ping
// or the Logoff (see Send) right behind it.
type Client struct {
	cfg      Config
	conn     net.Conn
	r        *Reader
	state    ConnState
	trace    *tracer
	idPrefix string
	idSeq    atomic.Uint64
	limit    int // bytes of unread list items per action

	wmu  sync.Mutex // serialises writes, and registration with them
	wbuf []byte

	mu        sync.Mutex
	pending   map[string]*Pending // by ActionID, until the action is finished
	awaiting  []*Pending          // response not yet arrived, in wire order
	quiet     bool                // async events are off for the next action registered
	ended     bool
	err       error // why the connection ended
	loggedOff atomic.Bool
	done      chan struct{}

	events eventQueue

	// The read loop's own: async events gathered to be queued in one go,
	// with their packet numbers.
	batch     []Packet
	batchSeqs []uint64
	open      openLists // lists that own the events without ActionID

	// Lending (lend.go). The Reader lends every packet; the read loop
	// hands on owned copies and gives each packet back, except where
	// Config.Lend lets it lend packets on. queueLends: the event queue
	// lends its events (events on with Config.Lend) and gives them back.
	// borrower: the one streaming Pending whose list items are lent (with
	// Config.Lend, when the queue does not lend), set and cleared by its
	// collect; while it is set it alone gives packets back.
	queueLends bool
	borrower   atomic.Pointer[Pending]

	stall    *time.Timer   // the read loop's, for waitForRoom
	stallMax time.Duration // stallMax, except in tests that judge a busy waiter, not the clock

	logoff atomic.Pointer[Pending] // the first Logoff Send sent

	watchList []*eventWatch // under mu
	watches   atomic.Int32  // len(watchList), for the read loop's fast path

	// Config.KeepAlive: the read loop stores in heard when it last received
	// bytes, as the time since born (kept only with KeepAlive on).
	born  time.Time
	heard atomic.Int64
}

// maxBatch bounds the async events the read loop gathers before queueing
// them: big enough to take the lock rarely, small enough that the consumer
// starts writing early.
const maxBatch = 256

// errClosedByUs is the end of a connection that Close or Logoff ended.
var errClosedByUs error = closedByUs{}

// closedByUs is the type of errClosedByUs: fmt.Errorf in a package
// variable would run fmt at every start of a program.
type closedByUs struct{}

func (closedByUs) Error() string { return ErrClosed.Error() + " by the client" }
func (closedByUs) Unwrap() error { return ErrClosed }

// maxEarly bounds the events kept for an action whose response has not
// arrived yet; more go to the async queue.
const maxEarly = 10000

func newClient(conn net.Conn, cfg Config) *Client {
	limit := cfg.EventBuffer
	if limit <= 0 {
		limit = DefaultEventBuffer
	}
	var rnd [4]byte
	binary.LittleEndian.PutUint32(rnd[:], rand.Uint32())
	c := &Client{
		cfg:      cfg,
		conn:     conn,
		r:        NewReader(conn),
		idPrefix: hex.EncodeToString(rnd[:]) + "-",
		limit:    limit,
		pending:  make(map[string]*Pending),
		done:     make(chan struct{}),
		quiet:    cfg.Events == "" || eventsOff(cfg.Events),
		stallMax: stallMax,
		born:     time.Now(),
	}
	if cfg.Trace != nil {
		c.trace = &tracer{w: cfg.Trace}
	}
	c.events.init(limit, cfg.DropWhenFull)
	c.events.answersDue = c.answersDue
	c.r.lend()
	c.r.skimEvents = cfg.Lend
	if cfg.Lend && !c.quiet {
		c.queueLends = true
		c.events.giveBack = c.r.giveBack
	}
	return c
}

// ConnState returns the connection's state now: what Dial found out, and
// the event queue as it is at the time of the call.
func (c *Client) ConnState() ConnState {
	st := c.state
	st.EventsQueued, st.EventsDropped = c.events.counts()
	return st
}

// nextID returns a new ActionID, unique for this client: a random prefix
// and a counter.
func (c *Client) nextID() string {
	return c.idPrefix + strconv.FormatUint(c.idSeq.Add(1), 10)
}

// writeLocked puts actions on the wire, in one write. ctx's deadline and
// cancellation bound the write; a write cut short breaks the stream, so the
// caller must end the connection on any error but a *FieldError (then
// nothing is written). c.wmu must be held.
func (c *Client) writeLocked(ctx context.Context, actions ...Packet) error {
	b := c.wbuf[:0]
	for _, a := range actions {
		var err error
		if b, err = appendAction(b, a); err != nil {
			return err
		}
	}
	c.wbuf = b
	if dl, ok := ctx.Deadline(); ok {
		_ = c.conn.SetWriteDeadline(dl)
		defer c.conn.SetWriteDeadline(time.Time{})
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { _ = c.conn.SetWriteDeadline(time.Unix(1, 0)) })
		defer stop()
	}
	for _, a := range actions {
		c.trace.packet('>', a)
	}
	_, err := c.conn.Write(b)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// Pending is an action that has been sent and whose result has not been
// collected yet. Wait collects it: the response and, when it starts an
// event list, the list's items. An event that carries the action's
// ActionID but is not part of its answer (the OriginateResponse of an
// async Originate, which comes after the response) is an async event: it
// goes to NextEvents, and Client.WatchEvent can wait for it.
type Pending struct {
	c      *Client
	id     string
	action string

	signal chan struct{} // wakes the waiter (capacity 1)
	space  chan struct{} // wakes the reader waiting for room (capacity 1)

	// held is the heldSize of the items held: not yet done with by the
	// waiter or, for a keeping waiter, kept. The read loop adds, the
	// waiter subtracts without taking mu (once per giveBackEvery items),
	// and full says that the read loop waits for room: each side writes
	// its own, then reads the other's (see waitForRoom).
	held atomic.Int64
	full atomic.Bool

	// quiet: async events were off when the action was sent (set by
	// register), so answers without ActionID are its own (see Client).
	// setsEvents: the action is an Events action, which turns them off
	// (eventsOff) or on for the actions after it.
	quiet, setsEvents, eventsOff bool

	mu        sync.Mutex
	resp      *Packet
	list      bool     // the response started an event list
	early     []Packet // events with our ActionID before the response
	items     []Packet // list items not yet handed to the waiter
	keep      bool     // the waiter keeps every item (Wait): nothing it takes makes room
	lend      bool     // items are lent (borrow)
	lastSeq   uint64   // the Reader's number of the last lent item so far
	seqs      []uint64 // with lend, lastSeq as of each item of items
	waiting   bool     // the waiter sleeps until signalled
	received  int
	final     *Packet
	finished  bool
	cause     error // set when the connection ended first
	abandoned bool  // the waiter gave up: discard what still comes
}

// Send writes an action at once and returns without waiting for the answer,
// so many actions can be in flight (pipelining); collect each result with
// Pending.Wait. An ActionID is added (as the second header) when the action
// has none; an ActionID already in flight is refused. To know the ActionID
// before the answer comes (to match the events that carry it, with
// WatchEvent), give the action one of your own. An action that cannot
// be sent gives the *FieldError of ValidateSend and nothing is written.
// ctx bounds the write only.
//
// A Logoff may be sent so too, right behind the last action (pipelined):
// the server answers the actions before it first, then says Goodbye and
// closes. From then on the server closing the connection is a clean end
// for Err, unless an action other than Logoff was still waiting for its
// answer. Collect the other actions' results as usual, then call Logoff,
// which waits for the answer of the first Logoff sent so instead of
// sending another, and for the server to close; or Wait for its Pending
// yourself instead (not both).
func (c *Client) Send(ctx context.Context, action Packet) (*Pending, error) {
	return c.send(ctx, action, false, false)
}

// sendKeepAlive sends a keepalive Ping, unless a Logoff has been sent: it
// returns a nil Pending then. Checked under the write lock, the Ping goes
// out before any Logoff, which the server then answers after it (a Ping
// behind the Logoff would never be answered, and would make the server's
// close look like a cut-off rather than a clean end).
func (c *Client) sendKeepAlive(ctx context.Context) (*Pending, error) {
	return c.send(ctx, NewAction("Ping"), false, true)
}

// send is Send; lend asks for the list items in the Reader's memory from
// the first one on (see collect), for Client.Stream; keepalive is
// sendKeepAlive's.
func (c *Client) send(ctx context.Context, action Packet, lend, keepalive bool) (*Pending, error) {
	if err := ValidateSend(action); err != nil {
		return nil, err
	}
	name := action.Get("Action")
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	logoff := strings.EqualFold(strings.TrimSpace(name), "Logoff")
	if logoff {
		c.loggedOff.Store(true)
	}
	p, a := c.prepare(action)
	if lend {
		p.borrow()
	}

	// Registration and write happen under wmu, so that awaiting is in wire
	// order (a response without ActionID goes to the oldest).
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if keepalive && c.loggedOff.Load() {
		return nil, nil
	}
	if err := c.register(p); err != nil {
		p.endLoan()
		return nil, err
	}
	signal(c.events.space) // a read loop waiting for room in the queue drops events instead now
	if err := c.writeLocked(ctx, a); err != nil {
		c.mu.Lock()
		c.forget(p)
		c.mu.Unlock()
		p.endLoan()
		var fe *FieldError
		if errors.As(err, &fe) {
			return nil, err
		}
		c.end(fmt.Errorf("%w: write: %w", ErrClosed, err))
		return nil, fmt.Errorf("%s: %w", name, c.cause())
	}
	if logoff {
		c.logoff.CompareAndSwap(nil, p)
	}
	return p, nil
}

// prepare makes the Pending of a valid action, and the action as it goes
// on the wire: with an ActionID, added as the second header when it has
// none. Nothing is registered or written yet.
func (c *Client) prepare(action Packet) (*Pending, Packet) {
	a := action
	id := a.Get("ActionID")
	if id == "" {
		id = c.nextID()
		a.Fields = make([]Field, 0, len(action.Fields)+1)
		a.Fields = append(a.Fields, action.Fields[0], Field{Key: "ActionID", Value: id})
		a.Fields = append(a.Fields, action.Fields[1:]...)
		a.Raw = nil
	}
	p := &Pending{c: c, id: id, action: action.Get("Action"), signal: make(chan struct{}, 1), space: make(chan struct{}, 1)}
	p.eventsOff, p.setsEvents = eventsChange(action)
	return p, a
}

// register enters p in the tables, as the latest action to await: its
// write must follow before c.wmu is released. It refuses an ActionID
// already in flight, and a connection that has ended.
func (c *Client) register(p *Pending) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return fmt.Errorf("%s: %w", p.action, c.err)
	}
	if _, dup := c.pending[p.id]; dup {
		return fmt.Errorf("%s: ActionID %q is already in flight", p.action, p.id)
	}
	c.pending[p.id] = p
	c.awaiting = append(c.awaiting, p)
	p.quiet = c.quiet
	if p.setsEvents {
		c.quiet = p.eventsOff
	}
	return nil
}

// forget removes p, the latest action registered, from the tables when
// it could not be written. c.mu must be held.
func (c *Client) forget(p *Pending) {
	if c.pending[p.id] == p {
		delete(c.pending, p.id)
	}
	if p.setsEvents {
		c.quiet = p.quiet // it never reached the server
	}
	for i, q := range c.awaiting {
		if q == p {
			c.awaiting = append(c.awaiting[:i], c.awaiting[i+1:]...)
			break
		}
	}
}

// Response is the result of an action: the response packet and, when it
// started an event list, the list's items and the event that ended it.
type Response struct {
	Packet Packet   // the response
	List   bool     // the response started an event list (see Client for what does)
	Events []Packet // list items in order (not the final event); nil for a plain response or Stream
	Final  *Packet  // the event that completed or cancelled the list; nil if none
}

// Wait waits for the action's result. A "Response: Error" gives the
// response and an *ActionError. The items of a list are kept for
// Response.Events: a list that holds more than Config.EventBuffer ends the
// connection and fails with an *IncompleteListError wrapping ErrOverflow
// (use Stream for big lists). A list cut
// short gives what arrived and an *IncompleteListError (Cancelled, or
// wrapping the connection's end); a list whose final event announces a
// ListItems count other than the number of items received gives them all
// and an *IncompleteListError that is Miscounted. A connection that ended
// before the response gives an error wrapping ErrClosed and the cause (a
// *ProtocolError for a broken stream); the end of ctx gives an error
// wrapping ctx.Err(), after which whatever still comes for the action is
// discarded. Wait is meant to be called once.
func (p *Pending) Wait(ctx context.Context) (*Response, error) {
	var items []Packet
	return p.collect(ctx, func(batch []Packet) error {
		items = append(items, batch...)
		return nil
	}, &items, false)
}

// giveBackEvery is how many list items collect hands over between two
// give-backs of lent ones.
const giveBackEvery = 64

// collect hands list items to sink as they arrive and builds the result.
// items, when not nil, becomes Response.Events. lend asks for the items
// lent, for a sink that keeps none of them (see borrow).
//
// The reader appends to p.items; collect takes the lot at once and gives
// the previous batch's array back for the reader to fill again, so a
// steady list reuses two arrays. It sleeps only when it found nothing, and
// says so in p.waiting: the reader signals once then, not per item. Items
// go to sink giveBackEvery at a time, a run of lent ones given back when
// sink is done with it, so a big batch frees its memory as it goes.
func (p *Pending) collect(ctx context.Context, sink func([]Packet) error, items *[]Packet, lend bool) (*Response, error) {
	if lend && p.borrow() {
		defer p.endLoan()
	}
	c := p.c
	p.mu.Lock()
	p.keep = items != nil
	p.mu.Unlock()
	var spare []Packet     // the array of the batch before, cleared
	var spareSeqs []uint64 // and of its seqs
	for {
		p.mu.Lock()
		batch, seqs := p.items, p.seqs
		if len(batch) > 0 {
			p.items, p.seqs = spare, spareSeqs
		}
		finished, resp, final, cause, list, received := p.finished, p.resp, p.final, p.cause, p.list, p.received
		p.waiting = len(batch) == 0 && !finished
		p.mu.Unlock()
		if len(batch) > 0 {
			lent := len(seqs) == len(batch)
			var err error
			for i := 0; i < len(batch) && err == nil; i += giveBackEvery {
				if err = ctx.Err(); err != nil {
					// Stopped in the middle of a list: what was handed
					// over is whole items, and no more follow.
					err = fmt.Errorf("%s: list interrupted: %w", p.action, err)
					break
				}
				j := min(i+giveBackEvery, len(batch))
				size := p.heldBy(batch[i:j]) // before the give-back: a lent item's Fields may be reused after it
				err = sink(batch[i:j])
				if lent && seqs[j-1] > 0 {
					c.r.giveBack(seqs[j-1]) // sink is done with these
				}
				p.made(size)
			}
			if err != nil {
				p.abandon()
				return p.result(resp, final, items, list), err
			}
			clear(batch)
			spare, spareSeqs = batch[:0], seqs[:0]
			if !finished {
				continue // more may have come meanwhile: p.waiting was not set
			}
		}
		if finished {
			r := p.result(resp, final, items, list)
			switch {
			case cause != nil && list:
				return r, &IncompleteListError{Action: p.action, Received: received, Expected: -1, Err: cause}
			case cause != nil:
				return nil, fmt.Errorf("%s: %w", p.action, cause)
			case resp != nil && resp.isError():
				return r, &ActionError{Action: p.action, ActionID: p.id, Message: resp.Get("Message"), Response: *resp}
			case final != nil && listMarkOf(*final) == listCancelled:
				return r, &IncompleteListError{Action: p.action, Received: received, Expected: listItems(*final), Cancelled: true}
			case final != nil:
				if err := checkListItems(p.action, *final, received, !p.quiet); err != nil {
					return r, err
				}
			}
			return r, nil
		}
		select {
		case <-p.signal:
		case <-ctx.Done():
			p.abandon()
			return nil, fmt.Errorf("%s: waiting for the response: %w", p.action, ctx.Err())
		}
	}
}

// heldBy returns what items count against the limit while they are held,
// or 0 when taking them makes no room (the waiter keeps them).
func (p *Pending) heldBy(items []Packet) int {
	if p.keep {
		return 0
	}
	n := 0
	for i := range items {
		n += items[i].heldSize()
	}
	return n
}

// made tells the read loop that the waiter is done with items that held
// size bytes.
func (p *Pending) made(size int) {
	if size == 0 {
		return
	}
	p.held.Add(-int64(size))
	if p.full.Load() {
		signal(p.space)
	}
}

func (p *Pending) result(resp, final *Packet, items *[]Packet, list bool) *Response {
	r := &Response{Final: final}
	if resp != nil {
		r.Packet = *resp
		r.List = list
	}
	if items != nil && (*items != nil || (resp != nil && list)) {
		r.Events = *items
		if r.Events == nil {
			r.Events = []Packet{}
		}
	}
	return r
}

// abandon tells the reader to discard whatever still comes for p. The
// entry stays registered until the response (and list) has come, so that
// late items are recognised and dropped rather than taken for async events.
func (p *Pending) abandon() {
	p.mu.Lock()
	p.abandoned = true
	p.items, p.seqs = nil, nil
	p.held.Store(0)
	p.early = nil
	p.mu.Unlock()
	signal(p.space)
}

// Do sends an action and waits for its result (Send, then Wait). For a
// list, Response.Events holds every item; use Stream for big lists.
func (c *Client) Do(ctx context.Context, action Packet) (*Response, error) {
	p, err := c.Send(ctx, action)
	if err != nil {
		return nil, err
	}
	return p.Wait(ctx)
}

// Stream is Do for big lists: each list item goes to item, in order, in the
// caller's goroutine, and is not kept (Response.Events stays nil). When item
// returns an error, or ctx ends, the rest of the list is discarded (checked
// every few dozen items, so a list that keeps coming stops soon) and that
// error is returned; the connection goes on.
//
// The items held in memory (arrived, and not yet done with by item) are
// bounded by Config.EventBuffer: the socket is read as fast as it delivers
// until they reach the bound; then the read loop waits for item to catch
// up as long as it keeps making room (done with some items at least every
// 50 ms). An item stuck for longer (a stalled output) would hold the socket
// up until the server drops the connection: instead the Client ends it,
// and once item is back the Stream returns an *IncompleteListError (its
// Received counts the items that arrived) wrapping ErrOverflow.
//
// Each item is the caller's to keep, as every packet the Client hands out
// is; with Config.Lend it is lent instead, valid only until item returns.
func (c *Client) Stream(ctx context.Context, action Packet, item func(Packet) error) (*Response, error) {
	p, err := c.send(ctx, action, true, false)
	if err != nil {
		return nil, err
	}
	return p.Stream(ctx, item)
}

// Stream is Wait for big lists, as Client.Stream describes: each list item
// goes to item, in order, and is not kept.
func (p *Pending) Stream(ctx context.Context, item func(Packet) error) (*Response, error) {
	return p.collect(ctx, func(batch []Packet) error {
		for _, ev := range batch {
			if err := item(ev); err != nil {
				return err
			}
		}
		return nil
	}, nil, true)
}

// NextEvents waits until at least one async event is queued, then appends
// every queued event to dst, in arrival order, and returns it. Passing an
// empty dst with spare capacity (batch[:0]) lets the queue reuse it, so a
// steady stream costs no copying of the batch. The events are the
// caller's to keep; with Config.Lend they are lent instead, valid until
// the next call. Once the connection has ended and the queue is empty it
// returns an error wrapping ErrClosed and the cause (a *ProtocolError
// or read error, when there was one); when ctx ends first,
// ctx.Err().
//
// Async events are all the events that are not an action's answer: those
// without ActionID, and those with the ActionID of an action that is not
// waiting for a list (an OriginateResponse, which comes after the
// Originate's response: WaitEvent waits for one). They arrive only while
// events are on (Config.Events). When the queue is full (Config.EventBuffer)
// Config.DropWhenFull says what happens to the next ones; a full queue never
// holds up the answers to actions, nor Logoff: from Logoff on, events
// that do not fit are dropped.
func (c *Client) NextEvents(ctx context.Context, dst []Packet) ([]Packet, error) {
	return c.events.next(ctx, dst)
}

// WatchEvent starts watching for the first async event (one that goes to
// NextEvents: see there) for which match reports true, among those that
// arrive from now on; wait returns it. Start the watch before sending the
// action whose event it waits for, so that the event cannot come first:
//
//	wait, stop := c.WatchEvent(func(ev Packet) bool {
//		return ev.Get("Event") == "OriginateResponse" && ev.Get("ActionID") == "call-1"
//	})
//	defer stop()
//	if _, err := c.Do(ctx, NewAction("Originate", "ActionID", "call-1", "Async", "true", ...)); err != nil { ... }
//	ev, err := wait(ctx)
//
// wait returns an error wrapping ctx.Err() when ctx ends first, one
// wrapping ErrClosed when the connection ends first, and one saying so
// after stop. Once it has returned the event the watch is over, and wait
// returns an error. stop ends the watch, if it is still on: an event that
// arrives from then on is not matched for it; it may be called more than
// once.
//
// match runs on the Client's read loop, which it holds up while it runs:
// it must be quick and must not call the Client. It sees each event whole
// and owned; the event still goes to NextEvents too (events must be on for
// it to arrive at all: Config.Events). Many watches may be active at once.
func (c *Client) WatchEvent(match func(Packet) bool) (wait func(context.Context) (Packet, error), stop func()) {
	w := &eventWatch{c: c, match: match, got: make(chan Packet, 1)}
	c.mu.Lock()
	c.watchList = append(c.watchList, w)
	c.watches.Add(1)
	c.mu.Unlock()
	return w.wait, w.stop
}

// eventWatch is a watch for one async event, started by Client.WatchEvent.
type eventWatch struct {
	c     *Client
	match func(Packet) bool
	got   chan Packet // the event, once matched (capacity 1)
}

// wait waits for the event the watch is for and returns it (see
// Client.WatchEvent).
func (w *eventWatch) wait(ctx context.Context) (Packet, error) {
	select {
	case ev, ok := <-w.got:
		if !ok {
			return Packet{}, errWatchOver
		}
		close(w.got)
		return ev, nil
	default:
	}
	select {
	case ev, ok := <-w.got:
		if !ok {
			return Packet{}, errWatchOver
		}
		close(w.got)
		return ev, nil
	case <-ctx.Done():
		return Packet{}, fmt.Errorf("waiting for an event: %w", ctx.Err())
	case <-w.c.done:
		select {
		case ev, ok := <-w.got: // it came before the end
			if ok {
				close(w.got)
				return ev, nil
			}
			return Packet{}, errWatchOver
		default:
		}
		return Packet{}, fmt.Errorf("waiting for an event: %w", w.c.cause())
	}
}

// stop ends the watch, if it is still on.
func (w *eventWatch) stop() {
	if w.c.unwatch(w) {
		close(w.got)
	}
}

// errWatchOver is what wait returns once the watch is over.
var errWatchOver = errors.New("event watch is over")

// unwatch takes w off the Client's watches and reports whether it was on.
func (c *Client) unwatch(w *eventWatch) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, v := range c.watchList {
		if v == w {
			c.watchList = append(c.watchList[:i], c.watchList[i+1:]...)
			c.watches.Add(-1)
			return true
		}
	}
	return false
}

// offer gives an async event to every watch it matches. Read loop only.
func (c *Client) offer(pkt Packet) {
	c.mu.Lock()
	ws := append([]*eventWatch(nil), c.watchList...)
	c.mu.Unlock()
	ev := pkt.Complete(nil).own()
	for _, w := range ws {
		if w.match(ev) && c.unwatch(w) {
			w.got <- ev.own() // a copy each: a watch may change its event
		}
	}
}

// answersDue reports whether an action still waits for its answer (or the
// rest of its list), so that a full event queue must not hold it up.
func (c *Client) answersDue() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending) > 0
}

// Logoff says goodbye (Action: Logoff, answered by Response: Goodbye),
// waits for the server to close (bounded by ctx) and closes the connection.
// After a Logoff sent by Send it sends nothing and waits for that one's answer.
// A server that closes right after Goodbye, or before answering, is a clean
// end: Logoff returns nil then. When an action sent before the Logoff has
// not been answered yet (its waiter gave up: a silent server, or a
// synchronous Originate still ringing), the Logoff is sent but not waited
// for: the server answers in order, so its Goodbye could only come after
// that answer.
//
// From the call on, a full event queue drops new async events (counted
// in ConnState's EventsDropped) instead of waiting for room, whatever
// Config.DropWhenFull says: the session is ending, and a consumer that has
// stopped taking events must not hold up the end (a full queue would stop
// the reading of the server's close after its Goodbye). Events that fit
// are still queued, so NextEvents can drain what the server sent before
// its Goodbye; those it handed out stay valid, lent ones included.
func (c *Client) Logoff(ctx context.Context) error {
	c.events.endWaits()
	p := c.logoff.Load()
	var err error
	if p == nil {
		p, err = c.Send(ctx, NewAction("Logoff"))
	}
	if err == nil && c.unansweredBefore(p) {
		c.Close()
		return nil
	}
	if err == nil {
		_, err = p.Wait(ctx)
	}
	if err == nil {
		select { // the server closes after Goodbye
		case <-c.done:
		case <-ctx.Done():
		}
	}
	c.Close()
	if err != nil && errors.Is(err, ErrClosed) {
		return nil
	}
	return err
}

// unansweredBefore reports whether an action written before p is still
// waiting for its response.
func (c *Client) unansweredBefore(p *Pending) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.awaiting) > 0 && c.awaiting[0] != p
}

// Close closes the connection. Everyone waiting (Wait, Stream, NextEvents)
// is woken with an error wrapping ErrClosed. Close may be called more than
// once and always returns nil.
func (c *Client) Close() error {
	c.end(errClosedByUs)
	return nil
}

// Done is closed when the connection has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns why the connection ended: nil while it is open, and nil
// after a clean end of our own (Close, or Logoff answered by Goodbye and the
// server closing); otherwise an error wrapping ErrClosed, with the cause: the
// server closed, the stream broke (*ProtocolError), a read or
// write failed, or the items of a list were taken too slowly (the
// *IncompleteListError of that list, wrapping ErrOverflow). Done tells
// whether it has ended.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == errClosedByUs {
		return nil
	}
	return c.err
}

// cause returns why the connection ended, errClosedByUs included; nil
// while it is open.
func (c *Client) cause() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// end closes the connection once, recording the cause and waking everyone.
func (c *Client) end(cause error) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	c.err = cause
	pending := make([]*Pending, 0, len(c.pending))
	for _, p := range c.pending {
		pending = append(pending, p)
	}
	c.pending = map[string]*Pending{}
	c.awaiting = nil
	c.mu.Unlock()
	c.conn.Close()
	for _, p := range pending {
		p.mu.Lock()
		if !p.finished {
			p.finished = true
			p.cause = cause
		}
		p.mu.Unlock()
		signal(p.signal)
		signal(p.space)
	}
	c.events.close(cause)
	close(c.done)
}

// readLoop drains the socket until it fails, routing every packet. Async
// events are queued in batches: a batch goes to the queue when the next
// packet is not wholly buffered yet (so nothing waits for a read), when it
// is full, and before any packet that is not an async event (so the queue
// and the answers to actions stay in wire order).
func (c *Client) readLoop() {
	for {
		pkt, ok, err := c.r.tryReadPacket()
		if !ok && err == nil {
			c.flushEvents()
			pkt, err = c.r.readPacket(true)
			if c.cfg.KeepAlive > 0 {
				c.heard.Store(int64(time.Since(c.born)))
			}
		}
		if err != nil {
			c.flushEvents()
			c.end(c.readError(err))
			return
		}
		c.trace.packet('<', pkt)
		if c.r.plainEvent && c.queueLends && len(c.open) == 0 && c.watches.Load() == 0 {
			c.queueEvent(pkt) // an event without an ActionID: route's verdict, known without a lookup
			continue
		}
		c.route(pkt)
	}
}

// queueEvent adds an async event to the read loop's batch.
func (c *Client) queueEvent(pkt Packet) {
	c.batch = append(c.batch, pkt)
	c.batchSeqs = append(c.batchSeqs, c.r.seq)
	if len(c.batch) >= maxBatch {
		c.flushEvents()
	}
}

// flushEvents queues the read loop's batch.
func (c *Client) flushEvents() {
	if len(c.batch) == 0 {
		return
	}
	c.events.pushBatch(c.batch, c.batchSeqs, true)
	clear(c.batch)
	c.batch, c.batchSeqs = c.batch[:0], c.batchSeqs[:0]
}

// cutOffLocked reports whether an action other than Logoff is still
// waiting for its answer (or the rest of its list), so that the server
// closing now is not the clean end of a Logoff sent behind it
// (see Send). c.mu must be held.
func (c *Client) cutOffLocked() bool {
	for _, p := range c.pending {
		if !strings.EqualFold(p.action, "Logoff") {
			p.mu.Lock()
			abandoned := p.abandoned
			p.mu.Unlock()
			if !abandoned {
				return true
			}
		}
	}
	return false
}

// readError describes why reading stopped.
func (c *Client) readError(err error) error {
	c.mu.Lock()
	ended := c.ended
	cutOff := c.cutOffLocked()
	c.mu.Unlock()
	var pe *ProtocolError
	switch {
	case ended:
		return errClosedByUs
	case errors.Is(err, io.EOF) && c.loggedOff.Load() && !cutOff:
		// The server closes after Goodbye: a clean end.
		return errClosedByUs
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w by the server", ErrClosed)
	case errors.As(err, &pe):
		// After a packet over a limit the Reader could go on, but whoever
		// the skipped packet was for would wait forever: end the
		// connection all the same.
		if errors.Is(err, io.ErrUnexpectedEOF) {
			// Cut off mid-packet: a lost connection, and a protocol
			// error on top.
			return fmt.Errorf("%w by the server mid-packet: %w", ErrClosed, err)
		}
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return fmt.Errorf("%w: %w", ErrClosed, err)
}

// route delivers one packet: to the action it answers, to the list it
// belongs to, or to the event queue (see Client for the answers without
// ActionID).
func (c *Client) route(pkt Packet) {
	switch pkt.kind() {
	case kindResponse:
		c.flushEvents()
		c.routeResponse(pkt.own())
		c.giveBackIdle()
		return
	case kindEvent:
		var p *Pending
		if id := pkt.Get("ActionID"); id != "" {
			c.mu.Lock()
			p = c.pending[id]
			c.mu.Unlock()
		} else {
			p = c.open.owner()
		}
		if p != nil {
			c.flushEvents()
			if p.addEvent(pkt, c.r.seq) {
				c.giveBackIdle()
				return
			}
		}
	case kindUnknown:
		if isText(pkt) {
			c.flushEvents()
			if c.routeText(pkt) {
				c.giveBackIdle()
				return
			}
		}
	}
	if c.watches.Load() > 0 {
		c.offer(pkt)
	}
	if !c.queueLends {
		pkt = pkt.own()
	}
	c.queueEvent(pkt)
	c.giveBackIdle()
}

// giveBackIdle gives back every packet so far while neither the event
// queue nor a Stream borrows the Reader's memory: every packet it returned
// has then been handed on as an owned copy, discarded, or lent to a list
// that is over.
func (c *Client) giveBackIdle() {
	if !c.queueLends && c.borrower.Load() == nil {
		c.r.giveBack(c.r.seq)
	}
}

// routeResponse gives a response to the action with its ActionID, or,
// without one, to the oldest action still waiting for its response. A
// response nobody waits for is discarded.
func (c *Client) routeResponse(pkt Packet) {
	id := pkt.Get("ActionID")
	c.mu.Lock()
	var p *Pending
	if id != "" {
		p = c.pending[id]
	} else if len(c.awaiting) > 0 {
		p = c.awaiting[0]
	}
	c.answer(p, pkt)
}

// routeText gives text that is not a packet (isText) to the oldest action
// still waiting for its response, as its answer, when async events were
// off when that action was sent; it reports false, for the event queue,
// otherwise.
func (c *Client) routeText(pkt Packet) bool {
	c.mu.Lock()
	if len(c.awaiting) == 0 || !c.awaiting[0].quiet {
		c.mu.Unlock()
		return false
	}
	c.answer(c.awaiting[0], pkt.own())
	return true
}

// answer makes pkt p's response. c.mu must be held; answer releases it. A
// nil p, or one answered already, discards pkt.
func (c *Client) answer(p *Pending, pkt Packet) {
	if p == nil || p.resp != nil { // p.resp is only written here, in this goroutine
		c.mu.Unlock()
		return
	}
	for i, q := range c.awaiting {
		if q == p {
			c.awaiting = append(c.awaiting[:i], c.awaiting[i+1:]...)
			break
		}
	}
	list := listMarkOf(pkt) == listStart && !pkt.isError()
	if !list {
		delete(c.pending, p.id)
	}
	c.mu.Unlock()
	if list && p.quiet {
		c.open = append(c.open, p)
	}

	p.mu.Lock()
	p.resp = &pkt
	p.list = list
	early := p.early
	p.early = nil
	if !list {
		p.finished = true
	}
	p.mu.Unlock()
	for _, ev := range early {
		if !list || !p.addEvent(ev, 0) {
			if c.watches.Load() > 0 {
				c.offer(ev)
			}
			c.events.push(ev, c.r.seq, true) // owned: the number only keeps the queue's in order
		}
	}
	signal(p.signal)
}

// addEvent takes an event carrying p's ActionID, which the Reader returned
// as packet number seq, or which is in memory of its own already when seq
// is 0. It reports false when the event is not p's business (p is finished
// or not a list), so that it goes to the async queue as it is. It runs in
// the read loop.
func (p *Pending) addEvent(ev Packet, seq uint64) bool {
	c := p.c
	p.mu.Lock()
	if p.resp == nil { // the response has not come yet: keep it for then
		if len(p.early) < maxEarly && !p.abandoned {
			if seq > 0 {
				ev = ev.own()
			}
			p.early = append(p.early, ev)
			p.mu.Unlock()
			return true
		}
		p.mu.Unlock()
		return false
	}
	if !p.list || p.finished {
		p.mu.Unlock()
		return false
	}
	switch listMarkOf(ev) {
	case listComplete, listCancelled:
		final := ev // only the final event is kept by address
		if seq > 0 {
			final = ev.own()
		}
		p.final = &final
		p.finished = true
		p.mu.Unlock()
		c.open.remove(p)
		p.c.mu.Lock()
		if p.c.pending[p.id] == p {
			delete(p.c.pending, p.id)
		}
		p.c.mu.Unlock()
		signal(p.signal)
		return true
	}
	if p.abandoned {
		p.mu.Unlock()
		return true
	}
	p.received++
	switch {
	case seq == 0:
	case p.lend:
		p.lastSeq = seq
	default:
		ev = ev.own()
	}
	p.items = append(p.items, ev)
	if p.lend {
		p.seqs = append(p.seqs, p.lastSeq)
	}
	if p.held.Add(int64(ev.heldSize())) > int64(c.limit) && !p.waitForRoom() {
		// The list is cut short here, and so is the connection: Wait or
		// Stream builds the same *IncompleteListError from p.cause, and
		// Client.Err and the other actions get this one.
		cut := fmt.Errorf("%w: %w: they held more than the limit of %d bytes", ErrClosed, ErrOverflow, c.limit)
		end := &IncompleteListError{Action: p.action, Received: p.received, Expected: -1, Err: cut}
		p.items, p.seqs = nil, nil
		p.held.Store(0)
		p.finished, p.cause = true, cut
		p.mu.Unlock()
		c.end(end)
		return true
	}
	wake := p.waiting
	p.waiting = false
	yield := len(p.items)%yieldEvery == 0
	p.mu.Unlock()
	if wake {
		signal(p.signal)
	}
	if yield {
		// The waiter has not taken the last yieldEvery items: maybe it
		// waits for this goroutine's processor (a fast reader never
		// blocks while input keeps coming). Let it run, and take the
		// items in batches, rather than read ahead up to the limit.
		runtime.Gosched()
	}
	return true
}

// yieldEvery is how many items the read loop adds to a list whose waiter
// has not taken them before it yields its processor.
const yieldEvery = 256

// stallMax is how long the read loop waits, when a list's items hold more
// than the limit, for the waiter to be done with some: a waiter that is
// merely busy (formatting) is done with a few within a millisecond, one
// stuck on a stalled output is not. Waiting much longer would stop
// draining the socket long enough for Asterisk (writetimeout, 100 ms by
// default) to drop the connection.
const stallMax = paceMax

// waitForRoom holds the read loop while p's items hold more than the limit
// and its waiter keeps making room: done with some items at least every
// stallMax. It reports false when the waiter made none for that long, or
// keeps every item (Wait), so that the list has to fail; true when there
// is room, or p is abandoned or finished. p.mu is held on entry and on
// return.
func (p *Pending) waitForRoom() bool {
	c := p.c
	limit := int64(c.limit)
	for p.held.Load() > limit && !p.abandoned && !p.finished {
		if p.keep {
			return false
		}
		p.waiting = false
		p.mu.Unlock()
		signal(p.signal)
		// full first, then held again: made subtracts first, then looks
		// at full, so either it sees full and signals, or this sees what
		// it made.
		p.full.Store(true)
		room := p.held.Load() <= limit || c.waitSpace(p.space)
		p.full.Store(false)
		p.mu.Lock()
		if !room {
			return p.held.Load() <= limit || p.abandoned || p.finished
		}
	}
	return true
}

// waitSpace waits up to stallMax for a token on space (made, abandon and
// end leave one) and reports whether one came. Read loop only.
func (c *Client) waitSpace(space chan struct{}) bool {
	if c.stall == nil {
		c.stall = time.NewTimer(c.stallMax)
	} else {
		c.stall.Reset(c.stallMax)
	}
	defer c.stall.Stop()
	select {
	case <-space:
		return true
	case <-c.stall.C:
		return false
	}
}
