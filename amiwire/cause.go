package amiwire

// ShortCause renders err without the layers of *net.OpError and
// *os.SyscallError that repeat the operation and the addresses
// ("connection refused" rather than "dial tcp 127.0.0.1:5038: connect:
// connection refused"), keeping whatever wraps them. It is how
// ConnectError shortens its cause, for callers that say what failed in
// their own words.
func ShortCause(err error) string { return connectCause(err) }
