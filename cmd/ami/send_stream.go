package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/actions"
)

// firstWriteMax bounds the actions that go in the Login's write when a
// stream starts: those that are complete by the time the first one is.
const firstWriteMax = 64

// runSendStream is send for a stdin that is still being written (a pipe,
// a coprocess; see stdinComplete): each action is checked and sent as soon
// as it is complete, pipelined behind the ones before it, and the results
// print in input order as they arrive. A bad action ends the batch there:
// the results of the ones before it print, a Logoff follows, and the
// error names it (exit 2).
func runSendStream(c *cli.Context, in io.Reader) error {
	out, err := newOutput(c, c.App.Writer)
	if err != nil {
		return err
	}
	s, err := connSettingsFrom(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(c.Context)
	defer cancel()
	feed := startFeed(ctx, in)

	// Nothing is dialled before the first action is complete and checked:
	// empty or bad input costs no connection. The actions complete by
	// then go in the Login's write, and the Logoff too when stdin has
	// ended: `printf ... | ami send` costs one round trip.
	first, err := feed.next(ctx)
	switch {
	case err == io.EOF:
		return usageError("send: %v", errNoStdinActions)
	case err != nil && ctx.Err() != nil:
		return exitWith(exitInterrupted, nil) // nothing was sent
	case err != nil:
		return usageError("send: %v; nothing was sent", stdinError(err))
	}
	if err := checkAction(first.Packet, stdinWhere(first)); err != nil {
		return err
	}
	st := &streamSend{s: s, feed: feed, n: 1}
	st.pre = []sendItem{{action: first.Packet, where: stdinWhere(first)}}
	for len(st.pre) < firstWriteMax && !st.ended {
		it, ok := feed.ready()
		if !ok {
			break
		}
		st.take(it.a, it.err)
	}
	pre := make([]amiwire.Packet, len(st.pre))
	for i, it := range st.pre {
		pre[i] = it.action
	}
	cl, pend, err := s.dialSend(ctx, "off", pre, st.ended)
	if errors.Is(err, amiwire.ErrPipelineTooBig) {
		cl, err = s.dial(ctx, "off")
		pend = nil
	}
	if err != nil {
		return err
	}
	defer s.logoff(ctx, cl)
	st.loggedOff = st.ended && pend != nil

	sent := make(chan sentAction, 256)
	for i, p := range pend {
		sent <- sentAction{item: st.pre[i], pend: p}
	}
	st.pre = st.pre[len(pend):]
	go st.run(ctx, cl, sent)

	t := &tally{s: s, out: out, total: -1}
	var werr error
	for sa := range sent {
		ok, err := t.result(ctx, sa.item.action, sa.pend)
		if err != nil || !ok {
			werr = err
			break
		}
		if len(sent) == 0 { // a coprocess waits for this before it writes on
			if werr = out.Flush(); werr != nil {
				break
			}
		}
	}
	// Stop the sender if it is still going, and wait for it.
	cancel()
	for range sent {
	}
	if werr != nil {
		return werr
	}
	if err := out.Flush(); err != nil {
		return err
	}
	var stopped error
	switch {
	case st.writeErr != nil:
		stopped = sendError(st.failed.action, st.writeErr, t.answered, -1)
	case st.badInput != nil:
		stopped = st.badInput
	}
	return t.outcome(stopped)
}

// sentAction is an action written to the server, waiting for its result.
type sentAction struct {
	item sendItem
	pend *amiwire.Pending
}

// streamSend sends the actions of a stream as they come.
type streamSend struct {
	s    connSettings
	feed *stdinFeed

	pre       []sendItem // checked, to send before reading on
	n         int        // actions accepted for sending so far
	ended     bool       // stdin has ended, or a bad action ended the batch
	loggedOff bool       // the Logoff has been written

	// Set by run before it closes the channel of sent actions.
	badInput error    // the action that ended the batch
	writeErr error    // writing the action failed
	failed   sendItem // the action whose write failed
}

// take accepts the next item of the feed: a checked action goes to pre;
// the end of stdin or a bad action ends the batch.
func (st *streamSend) take(a actions.Action, err error) {
	if err == nil {
		where := stdinWhere(a)
		if err = checkActionThen(a.Packet, where, st.outcome()); err == nil {
			st.pre = append(st.pre, sendItem{action: a.Packet, where: where})
			st.n++
			return
		}
		st.badInput = err
	} else if err != io.EOF {
		st.badInput = usageError("send: %v; %s", stdinError(err), st.outcome())
	}
	st.ended = true
}

// outcome says what has been sent when the next action is refused.
func (st *streamSend) outcome() string {
	switch st.n {
	case 0:
		return "nothing was sent"
	case 1:
		return "the batch ends here: the action before it was sent"
	default:
		return fmt.Sprintf("the batch ends here: the %d actions before it were sent", st.n)
	}
}

// run sends st.pre, then every action of the feed as it comes, onto
// sent, and the Logoff behind the last; it closes sent when done. A bad
// action, a failed write or ctx's end stops it.
func (st *streamSend) run(ctx context.Context, cl *amiwire.Client, sent chan<- sentAction) {
	defer close(sent)
	send := func(it sendItem) bool {
		wctx, cancel := context.WithTimeout(ctx, st.s.Timeout)
		p, err := cl.Send(wctx, it.action)
		cancel()
		if err != nil {
			st.writeErr, st.failed = err, it
			return false
		}
		select {
		case sent <- sentAction{item: it, pend: p}:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, it := range st.pre {
		if !send(it) {
			return
		}
	}
	st.pre = nil
	for !st.ended {
		a, err := st.feed.next(ctx)
		if ctx.Err() != nil {
			return // interrupted, or the results cannot go on: runSend logs off
		}
		st.take(a, err)
		for _, it := range st.pre {
			if !send(it) {
				return
			}
		}
		st.pre = st.pre[:0]
	}
	if !st.loggedOff {
		wctx, cancel := context.WithTimeout(ctx, st.s.Timeout)
		_, _ = cl.Send(wctx, amiwire.NewAction("Logoff"))
		cancel()
	}
}

// stdinFeed reads the actions of stdin in a goroutine of its own, ahead of
// the sending, so that an action that is complete can go out while the
// next is still being written.
type stdinFeed struct {
	items chan feedItem
}

// feedItem is an action read, or the error that ended the reading (io.EOF
// at the end of stdin).
type feedItem struct {
	a   actions.Action
	err error
}

// startFeed starts reading the actions of in. The goroutine stops after
// the last action or an error, or when ctx ends; it may stay blocked in a
// read of stdin until the process exits (nothing can interrupt that read).
func startFeed(ctx context.Context, in io.Reader) *stdinFeed {
	f := &stdinFeed{items: make(chan feedItem, firstWriteMax)}
	go func() {
		r := actions.NewReader(in)
		for {
			a, err := r.Next()
			select {
			case f.items <- feedItem{a, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return f
}

// next waits for the next action.
func (f *stdinFeed) next(ctx context.Context) (actions.Action, error) {
	select {
	case it := <-f.items:
		return it.a, it.err
	case <-ctx.Done():
		return actions.Action{}, ctx.Err()
	}
}

// ready returns the next item if it has been read already; ok is false
// when it has not.
func (f *stdinFeed) ready() (it feedItem, ok bool) {
	select {
	case it = <-f.items:
		return it, true
	default:
		return it, false
	}
}
