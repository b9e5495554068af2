package calls

import "fmt"

// checker follows the changes a consumer sees and checks they make sense
// on their own: a call starts once, is updated and ended only while it is
// up, and its record is consistent.
type checker struct {
	up map[key]bool
}

func newChecker() *checker { return &checker{up: map[key]bool{}} }

func (k *checker) changes(changes []Change) error {
	seen := map[*Call]bool{}
	for _, ch := range changes {
		call := ch.Call
		if seen[call] {
			return fmt.Errorf("two changes for call %s in one batch", call.Linkedid)
		}
		seen[call] = true
		id := key{call.Host, call.Linkedid}
		switch ch.Kind {
		case Start:
			if k.up[id] {
				return fmt.Errorf("call %s started twice", call.Linkedid)
			}
			if ch.Reason != ReasonNew && ch.Reason != ReasonMidcall && ch.Reason != ReasonSnapshot {
				return fmt.Errorf("call %s started with reason %q", call.Linkedid, ch.Reason)
			}
			k.up[id] = true
		case Update:
			if !k.up[id] {
				return fmt.Errorf("update of call %s, which is not up", call.Linkedid)
			}
			if ch.Reason != "" {
				return fmt.Errorf("update of call %s with reason %q", call.Linkedid, ch.Reason)
			}
		case End:
			// An end may come without its start when both fell in one batch.
			delete(k.up, id)
			switch ch.Reason {
			case ReasonHangup, ReasonLost:
				if call.Live() != 0 || call.State() != StateEnded {
					return fmt.Errorf("call %s ended (%s) with %d channels live", call.Linkedid, ch.Reason, call.Live())
				}
			case ReasonMerged:
				if ch.Into == nil || ch.Into == call {
					return fmt.Errorf("call %s merged into %v", call.Linkedid, ch.Into)
				}
			default:
				return fmt.Errorf("call %s ended with reason %q", call.Linkedid, ch.Reason)
			}
		default:
			return fmt.Errorf("change of kind %q", ch.Kind)
		}
		if ch.Kind != End && call.Live() == 0 {
			return fmt.Errorf("%s of call %s with no channel live", ch.Kind, call.Linkedid)
		}
		if len(call.Channels) == 0 {
			return fmt.Errorf("%s of call %s with no channel", ch.Kind, call.Linkedid)
		}
	}
	return nil
}
