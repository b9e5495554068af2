package actions

import (
	"errors"
	"strings"
)

// ParseExtension reads a place in the dialplan as written after
// `ami originate CHANNEL`: EXTEN[@CONTEXT[:PRIORITY]], the context
// "default" and the priority "1" when left out (an empty CONTEXT too).
// EXTEN must not be empty, nor PRIORITY after a ':'. The error does not
// repeat s: callers say where it came from.
func ParseExtension(s string) (exten, context, priority string, err error) {
	exten, rest, hasContext := strings.Cut(s, "@")
	context, priority = "default", "1"
	if hasContext {
		ctx, prio, hasPrio := strings.Cut(rest, ":")
		if ctx != "" {
			context = ctx
		}
		if hasPrio {
			if prio == "" {
				return "", "", "", errors.New("empty PRIORITY after ':'")
			}
			priority = prio
		}
	}
	if exten == "" {
		return "", "", "", errors.New("want EXTEN[@CONTEXT[:PRIORITY]]")
	}
	return exten, context, priority, nil
}
