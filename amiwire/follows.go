package amiwire

// IsFollows reports whether the header "key: value" is the "Response:
// Follows" that opens a legacy Command reply (and some old list replies):
// a Reader reads the lines after it as output, not as headers. Code that
// handles a packet's wire bytes without a Reader must treat such a packet
// apart; this is the test the Reader and Writer use.
func IsFollows(key, value string) bool { return isFollows(key, value) }
