package calls

import (
	"strconv"
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// Outcome is how an Originate ended, as a word for people and scripts.
type Outcome string

// The outcomes of an Originate. The Reason codes behind them are
// Asterisk's control frame numbers (AST_CONTROL_*): the last thing the new
// channel reported before the originate gave up or succeeded.
const (
	// OutcomeAnswered: Reason 4, the channel answered.
	OutcomeAnswered Outcome = "answered"
	// OutcomeBusy: Reason 5, the far end said busy.
	OutcomeBusy Outcome = "busy"
	// OutcomeNoAnswer: Reason 3, it rang until the originate's timeout.
	OutcomeNoAnswer Outcome = "no-answer"
	// OutcomeCongestion: Reason 8, congestion (no route, no circuit, or an
	// incomplete number).
	OutcomeCongestion Outcome = "congestion"
	// OutcomeHangup: Reason 1, the channel hung up before it answered.
	OutcomeHangup Outcome = "hangup"
	// OutcomeFailed: Reason 0 (the channel could not be created or called,
	// no such extension, or nothing came back before the timeout), or any
	// other code.
	OutcomeFailed Outcome = "failed"
)

// ReasonOutcome maps an OriginateResponse Reason code to its outcome. The
// codes Asterisk 22 sends are 0 (failed), 1 (hangup), 3 (no-answer),
// 4 (answered), 5 (busy) and 8 (congestion); any other is OutcomeFailed.
func ReasonOutcome(reason int) Outcome {
	switch reason {
	case 1:
		return OutcomeHangup
	case 3:
		return OutcomeNoAnswer
	case 4:
		return OutcomeAnswered
	case 5:
		return OutcomeBusy
	case 8:
		return OutcomeCongestion
	}
	return OutcomeFailed
}

// OriginateOutcome reads an OriginateResponse event: its outcome and its
// Reason code (-1 when the event has none that is a number, and the
// outcome then follows the Response header: Success is answered, anything
// else failed). ok is false when p is not an OriginateResponse event.
func OriginateOutcome(p amiwire.Packet) (o Outcome, reason int, ok bool) {
	if !p.Has("Event") || !strings.EqualFold(p.Get("Event"), "OriginateResponse") {
		return "", 0, false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(p.Get("Reason"))); err == nil {
		return ReasonOutcome(n), n, true
	}
	if strings.EqualFold(p.Get("Response"), "Success") {
		return OutcomeAnswered, -1, true
	}
	return OutcomeFailed, -1, true
}
