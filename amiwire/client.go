package amiwire

import (
	"context"
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
)

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
// or the Logoff (SendLogoff) right behind it.
type Client struct {
	cfg       Config
	conn      net.Conn
	r         *Reader
	banner    string
	timings   Timings
	certCheck CertCheck
	trace     *tracer
	idPrefix  string
	idSeq     atomic.Uint64
	limit     int // bytes of unread list items per action

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

	// Lending (see Pending.Stream): lender is the one streaming Pending
	// whose list items are handed over in the Reader's memory, set and
	// cleared by its collect; lending, the read loop's own, is set at the
	// first lent item, when the Reader starts to recycle, and from then on
	// every packet but the lender's items is detached. The lender alone
	// releases packets while it is set (its items are the only borrowed
	// ones), the read loop after each packet while it is not.
	lender  atomic.Pointer[Pending]
	lending bool

	stall *time.Timer // the read loop's, for waitForRoom

	logoff atomic.Pointer[Pending] // the first Logoff SendLogoff sent
}

// maxBatch bounds the async events the read loop gathers before queueing
// them: big enough to take the lock rarely, small enough that the consumer
// starts writing early.
const maxBatch = 256

// errClosedByUs is the end of a connection that Close or Logoff ended.
var errClosedByUs error = closedByUs{}

// closedByUs is the type of errClosedByUs: fmt.Errorf in a package
// variable would run fmt at every start of ami (0.7% of send Ping).
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
		quiet:    eventsOff(cfg.Events),
	}
	if cfg.Trace != nil {
		c.trace = &tracer{w: cfg.Trace}
	}
	c.events.init(limit, cfg.Overflow)
	if cfg.BorrowEvents {
		c.events.release = c.r.Release
	}
	return c
}

// Banner returns the server's greeting line, e.g. "Asterisk Call Manager/11.0.0".
func (c *Client) Banner() string { return c.banner }

// Version returns the AMI version of the banner, e.g. "11.0.0".
func (c *Client) Version() string {
	v, _ := BannerVersion(c.banner)
	return v
}

// Timings returns how long Dial's steps took.
func (c *Client) Timings() Timings { return c.timings }

// CertCheck says how Dial accepted the server's TLS certificate:
// CertNotChecked for plain TCP.
func (c *Client) CertCheck() CertCheck { return c.certCheck }

// RemoteAddr returns the server's address.
func (c *Client) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

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
		if b, err = AppendAction(b, a); err != nil {
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
// collected yet. Wait collects it.
type Pending struct {
	c      *Client
	id     string
	action string

	signal chan struct{} // wakes the waiter (capacity 1)
	space  chan struct{} // wakes the reader waiting for room (capacity 1)

	// held is the HeldSize of the items held: not yet done with by the
	// waiter or, for a keeping waiter, kept. The read loop adds, the
	// waiter subtracts without taking mu (once per releaseEvery items),
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
	lend      bool     // items are lent: they point into the Reader's recycled memory
	lastSeq   uint64   // the Reader's number of the last lent item so far
	seqs      []uint64 // with lend, lastSeq as of each item of items
	waiting   bool     // the waiter sleeps until signalled
	received  int
	final     *Packet
	finished  bool
	cause     error // set when the connection ended first
	abandoned bool  // the waiter gave up: discard what still comes
}

// ActionID returns the ActionID the action was sent with.
func (p *Pending) ActionID() string { return p.id }

// Send writes an action at once and returns without waiting for the answer,
// so many actions can be in flight (pipelining); collect each result with
// Pending.Wait. An ActionID is added (as the second header) when the action
// has none; an ActionID already in flight is refused. An action that cannot
// be sent gives the *FieldError of ValidateSend and nothing is written.
// ctx bounds the write only.
func (c *Client) Send(ctx context.Context, action Packet) (*Pending, error) {
	return c.send(ctx, action, false)
}

// send is Send; lend asks for the list items in the Reader's memory from
// the first one on (see collect), for Client.Stream.
func (c *Client) send(ctx context.Context, action Packet, lend bool) (*Pending, error) {
	if err := ValidateSend(action); err != nil {
		return nil, err
	}
	name := action.Action()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p, a := c.prepare(action)
	if lend {
		p.borrow()
	}

	// Registration and write happen under wmu, so that awaiting is in wire
	// order (a response without ActionID goes to the oldest).
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.register(p); err != nil {
		p.endLoan()
		return nil, err
	}
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
	return p, nil
}

// prepare makes the Pending of a valid action, and the action as it goes
// on the wire: with an ActionID, added as the second header when it has
// none. Nothing is registered or written yet.
func (c *Client) prepare(action Packet) (*Pending, Packet) {
	a := action
	id := a.ActionID()
	if id == "" {
		id = c.nextID()
		a.Fields = make([]Field, 0, len(action.Fields)+1)
		a.Fields = append(a.Fields, action.Fields[0], Field{Key: "ActionID", Value: id})
		a.Fields = append(a.Fields, action.Fields[1:]...)
		a.Raw = nil
	}
	p := &Pending{c: c, id: id, action: action.Action(), signal: make(chan struct{}, 1), space: make(chan struct{}, 1)}
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
	Events []Packet // list items in order (not the final event); nil for a plain response
	Final  *Packet  // the event that completed or cancelled the list; nil if none
}

// Wait waits for the action's result. A "Response: Error" gives the
// response and an *ActionError. The items of a list are kept for
// Response.Events: a list that holds more than Config.EventBuffer ends the
// connection with an *OverflowError (use Stream for big lists). A list cut
// short gives what arrived and an *IncompleteListError (Cancelled, or
// wrapping the connection's end); a list whose final event announces a
// ListItems count other than the number of items received gives them all
// and a *ListCountError. A
// connection that ended before the response gives an error wrapping
// ErrClosed and the cause (a *ProtocolError / *LimitError for a broken
// stream); the end of ctx gives an error wrapping ctx.Err(), after which
// whatever still comes for the action is discarded. Wait is meant to be
// called once.
func (p *Pending) Wait(ctx context.Context) (*Response, error) {
	var items []Packet
	return p.collect(ctx, func(batch []Packet) error {
		items = append(items, batch...)
		return nil
	}, &items, false)
}

// releaseEvery is how many lent list items collect hands over between two
// releases of their memory.
const releaseEvery = 64

// collect hands list items to sink as they arrive and builds the result.
// items, when not nil, becomes Response.Events. lend asks for the items in
// the Reader's memory, for a sink that keeps none of them: it is granted
// to one Pending at a time, and never with Config.BorrowEvents, whose
// event queue releases the Reader's packets itself (a Release covers every
// packet up to a number, so there can be only one borrower).
//
// The reader appends to p.items; collect takes the lot at once and gives
// the previous batch's array back for the reader to fill again, so a
// steady list reuses two arrays. It sleeps only when it found nothing, and
// says so in p.waiting: the reader signals once then, not per item. Lent
// items go to sink releaseEvery at a time, each run released when sink is
// done with it, so a big batch frees its memory as it goes.
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
			for i := 0; i < len(batch) && err == nil; i += releaseEvery {
				if err = ctx.Err(); err != nil {
					// Stopped in the middle of a list: what was handed
					// over is whole items, and no more follow.
					err = fmt.Errorf("%s: list interrupted: %w", p.action, err)
					break
				}
				j := min(i+releaseEvery, len(batch))
				size := p.heldBy(batch[i:j]) // before the Release: a lent item's Fields may be reused after it
				err = sink(batch[i:j])
				if lent && seqs[j-1] > 0 {
					c.r.Release(seqs[j-1]) // sink is done with these
				}
				p.made(size)
			}
			if err != nil {
				p.abandon()
				return p.result(resp, final, items), err
			}
			clear(batch)
			spare, spareSeqs = batch[:0], seqs[:0]
			if !finished {
				continue // more may have come meanwhile: p.waiting was not set
			}
		}
		if finished {
			r := p.result(resp, final, items)
			switch {
			case cause != nil && list:
				return r, &IncompleteListError{Action: p.action, Received: received, Expected: -1, Err: cause}
			case cause != nil:
				return nil, fmt.Errorf("%s: %w", p.action, cause)
			case resp != nil && resp.IsError():
				return r, &ActionError{Action: p.action, ActionID: p.id, Message: resp.Get("Message"), Response: *resp}
			case final != nil && ListMarkOf(*final) == ListCancelled:
				return r, &IncompleteListError{Action: p.action, Received: received, Expected: ListItems(*final), Cancelled: true}
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
		n += items[i].HeldSize()
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

func (p *Pending) result(resp, final *Packet, items *[]Packet) *Response {
	r := &Response{Final: final}
	if resp != nil {
		r.Packet = *resp
	}
	if items != nil && (*items != nil || (resp != nil && p.list)) {
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
// up until the server drops the connection: instead the Client ends it
// with an *OverflowError, which the Stream returns (wrapped) once item is
// back.
//
// An item is valid only until item returns: its memory may then be
// reused for later input (use Packet.Detach to keep one). That is what
// makes a big list cost no allocation per item. (One list at a time per
// Client reads into reused memory, and only without Config.BorrowEvents;
// once one has, the Client detaches every other packet it hands out.)
func (c *Client) Stream(ctx context.Context, action Packet, item func(Packet) error) (*Response, error) {
	p, err := c.send(ctx, action, true)
	if err != nil {
		return nil, err
	}
	return p.Stream(ctx, item)
}

// Stream is Wait for big lists, as Client.Stream describes: each list item
// goes to item, in order, is valid only until item returns, and is not
// kept.
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

// borrow makes p the Client's lender, when possible, and reports whether
// it is.
func (p *Pending) borrow() bool {
	c := p.c
	if c.lender.Load() != p && (c.cfg.BorrowEvents || !c.lender.CompareAndSwap(nil, p)) {
		return false
	}
	p.mu.Lock()
	p.lend = true
	p.mu.Unlock()
	return true
}

// endLoan ends p's use of the Reader's memory once its waiter is done with
// every item: the Reader may reuse all of it, and another Stream may
// borrow.
func (p *Pending) endLoan() {
	p.mu.Lock()
	p.lend = false
	lent := p.lastSeq
	p.mu.Unlock()
	if lent > 0 {
		p.c.r.Release(lent)
	}
	p.c.lender.CompareAndSwap(p, nil)
}

// NextEvents waits until at least one async event is queued, then appends
// every queued event to dst, in arrival order, and returns it. Passing an
// empty dst with spare capacity (batch[:0]) lets the queue reuse it, so a
// steady stream costs no allocation. With Config.BorrowEvents the events
// returned are valid until the next call, which gives their memory back to
// the reader; with Config.SkimEvents they may be Skimmed. Once the
// connection has ended and the queue is empty it returns an error wrapping
// ErrClosed and the cause (a *ProtocolError, *LimitError or read error,
// when there was one); when ctx ends first, ctx.Err().
func (c *Client) NextEvents(ctx context.Context, dst []Packet) ([]Packet, error) {
	return c.events.next(ctx, dst)
}

// DiscardEvents drops the async events waiting for NextEvents, and every
// one that arrives from now on, so that the read loop never waits for room
// in the queue again: for a consumer that stops taking events (because it
// is stopping) but still wants the answers to actions, a Logoff's say.
// NextEvents returns an error from then on. Events NextEvents handed out
// before stay valid: with Config.BorrowEvents their memory is not reused.
func (c *Client) DiscardEvents() { c.events.discard(errEventsDiscarded) }

// errEventsDiscarded is what NextEvents returns after DiscardEvents.
var errEventsDiscarded = errors.New("async events discarded")

// Queued returns the number of async events waiting to be taken.
func (c *Client) Queued() int { return c.events.len() }

// Dropped returns how many async events OverflowDrop has discarded.
func (c *Client) Dropped() uint64 { return c.events.droppedCount() }

// Ping sends a Ping and waits for its answer.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.Do(ctx, NewAction("Ping"))
	return err
}

// SendLogoff sends a Logoff at once, without waiting for its answer, so
// that it can go out right behind the last action (pipelined): the server
// answers the actions before it first, then says Goodbye and closes. From
// then on the server closing the connection is a clean end for Err, unless
// an action other than Logoff was still waiting for its answer. Collect
// the other actions' results as usual, then call Logoff, which waits for
// this Logoff's answer (the first one SendLogoff sent) instead of sending
// another, and for the server to close; or Wait for the Pending yourself
// instead (not both).
func (c *Client) SendLogoff(ctx context.Context) (*Pending, error) {
	c.loggedOff.Store(true)
	p, err := c.Send(ctx, NewAction("Logoff"))
	if err == nil {
		c.logoff.CompareAndSwap(nil, p)
	}
	return p, err
}

// Logoff says goodbye (Action: Logoff, answered by Response: Goodbye),
// waits for the server to close (bounded by ctx) and closes the connection.
// After SendLogoff it sends nothing and waits for that Logoff's answer.
// A server that closes right after Goodbye, or before answering, is a clean
// end: Logoff returns nil then. When an action sent before the Logoff has
// not been answered yet (its waiter gave up: a silent server, or a
// synchronous Originate still ringing), the Logoff is sent but not waited
// for: the server answers in order, so its Goodbye could only come after
// that answer.
func (c *Client) Logoff(ctx context.Context) error {
	p := c.logoff.Load()
	var err error
	if p == nil {
		p, err = c.SendLogoff(ctx)
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
// server closed, the stream broke (*ProtocolError, *LimitError), a read or
// write failed. Done tells whether it has ended.
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
	if c.cfg.BorrowEvents {
		c.r.Recycle()
	}
	for {
		pkt, ok, err := c.r.TryReadPacket()
		if !ok && err == nil {
			c.flushEvents()
			pkt, err = c.r.ReadPacket()
		}
		if err != nil {
			c.flushEvents()
			c.end(c.readError(err))
			return
		}
		c.trace.packet('<', pkt)
		if c.r.plainEvent && !c.lending && len(c.open) == 0 {
			c.queueEvent(pkt) // an event without an ActionID: route's verdict, known without a lookup
			continue
		}
		c.route(pkt)
	}
}

// queueEvent adds an async event to the read loop's batch.
func (c *Client) queueEvent(pkt Packet) {
	c.batch = append(c.batch, pkt)
	c.batchSeqs = append(c.batchSeqs, c.r.Seq())
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

// own returns pkt in memory of its own: a packet that goes anywhere but
// the async queue must outlive the Reader's reuse of its memory.
func (c *Client) own(pkt Packet) Packet {
	if c.cfg.BorrowEvents || c.lending {
		return pkt.Detach()
	}
	return pkt
}

// cutOffLocked reports whether an action other than Logoff is still
// waiting for its answer (or the rest of its list), so that the server
// closing now is not the clean end of a Logoff sent behind it
// (SendLogoff). c.mu must be held.
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
	var le *LimitError
	switch {
	case ended:
		return errClosedByUs
	case errors.Is(err, io.EOF) && c.loggedOff.Load() && !cutOff:
		// The server closes after Goodbye: a clean end.
		return errClosedByUs
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w by the server", ErrClosed)
	case errors.As(err, &le):
		// The Reader could go on, but whoever the skipped packet was
		// for would wait forever: end the connection.
		return fmt.Errorf("%w: %w", ErrClosed, err)
	case errors.As(err, &pe):
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
	switch pkt.Kind() {
	case KindResponse:
		c.flushEvents()
		c.routeResponse(c.own(pkt))
		c.releaseIdle()
		return
	case KindEvent:
		var p *Pending
		if id := pkt.ActionID(); id != "" {
			c.mu.Lock()
			p = c.pending[id]
			c.mu.Unlock()
		} else {
			p = c.open.owner()
		}
		if p != nil {
			c.flushEvents()
			if p.addEvent(pkt, c.r.Seq()) {
				c.releaseIdle()
				return
			}
		}
	case KindUnknown:
		if isText(pkt) {
			c.flushEvents()
			if c.routeText(pkt) {
				c.releaseIdle()
				return
			}
		}
	}
	if c.lending {
		pkt = pkt.Detach() // only a lender releases: the queue's events must own their memory
	}
	c.queueEvent(pkt)
	c.releaseIdle()
}

// releaseIdle lets a recycling Reader reuse the memory of every packet so
// far while no list borrows it: every packet it returned is then detached,
// discarded or lent to a list that is over.
func (c *Client) releaseIdle() {
	if c.lending && c.lender.Load() == nil {
		c.r.Release(c.r.Seq())
	}
}

// routeResponse gives a response to the action with its ActionID, or,
// without one, to the oldest action still waiting for its response. A
// response nobody waits for is discarded.
func (c *Client) routeResponse(pkt Packet) {
	id := pkt.ActionID()
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
	c.answer(c.awaiting[0], c.own(pkt))
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
	list := ListMarkOf(pkt) == ListStart && !pkt.IsError()
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
			c.events.push(ev, c.r.Seq(), true) // owned: Seq only keeps the numbers in order
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
				ev = c.own(ev)
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
	switch ListMarkOf(ev) {
	case ListComplete, ListCancelled:
		final := ev // only the final event is kept by address
		if seq > 0 {
			final = c.own(ev)
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
		if !c.lending {
			// The first lent item: from now on the Reader reuses
			// memory once it is released, and every packet that is
			// not lent is detached (own).
			c.r.Recycle()
			c.lending = true
		}
		p.lastSeq = seq
	default:
		ev = c.own(ev)
	}
	p.items = append(p.items, ev)
	if p.lend {
		p.seqs = append(p.seqs, p.lastSeq)
	}
	if p.held.Add(int64(ev.HeldSize())) > int64(c.limit) && !p.waitForRoom() {
		over := &OverflowError{Action: p.action, Limit: c.limit, Received: p.received}
		p.items, p.seqs = nil, nil
		p.held.Store(0)
		p.mu.Unlock()
		c.end(fmt.Errorf("%w: %w", ErrClosed, over))
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
		c.stall = time.NewTimer(stallMax)
	} else {
		c.stall.Reset(stallMax)
	}
	defer c.stall.Stop()
	select {
	case <-space:
		return true
	case <-c.stall.C:
		return false
	}
}
