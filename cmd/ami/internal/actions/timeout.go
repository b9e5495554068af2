package actions

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// originateDefaultTimeout is how long Asterisk lets a synchronous
// Originate without a Timeout header ring before it answers (manager.c).
const originateDefaultTimeout = 30 * time.Second

// Timeout returns how long the server may take before it answers
// action, by the action's own say: its Timeout header, in milliseconds
// (Originate, Park and others), in seconds for WaitEvent; for an Originate
// without one that is not Async, Asterisk's default of 30 s. A caller
// bounding the wait for the response adds its own timeout to this; 0 when
// the action says nothing (or nothing that parses as a number). The result
// is at most about 146 years, so adding to it does not overflow.
func Timeout(action amiwire.Packet) time.Duration {
	name := action.Get("Action")
	v := strings.TrimSpace(action.Get("Timeout"))
	if v == "" {
		if strings.EqualFold(name, "Originate") && !isTrue(action.Get("Async")) {
			return originateDefaultTimeout
		}
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	unit := time.Millisecond
	if strings.EqualFold(name, "WaitEvent") {
		unit = time.Second
	}
	if n > int64(maxActionTimeout/unit) {
		return maxActionTimeout
	}
	return time.Duration(n) * unit
}

// maxActionTimeout caps Timeout (at about 146 years), so that a
// caller can add its own timeout without overflow.
const maxActionTimeout = time.Duration(math.MaxInt64 / 2)

// isTrue reports whether v is one of the values Asterisk's ast_true takes
// for yes.
func isTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "true", "y", "t", "1", "on":
		return true
	}
	return false
}
