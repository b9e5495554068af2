// Package amiurl reads the --url of ami: ami://user@host:port, or
// amis://user@host:port for AMI over TLS.
package amiurl

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// URL is a parsed --url. Host, Port and User are empty or zero when the
// URL leaves them out.
type URL struct {
	Host string
	Port int
	User string
	TLS  bool // amis://
}

// ErrSecret is wrapped by the *Error for a URL with a secret in it: a
// command line is visible to other users (ps), so ami refuses it.
var ErrSecret = errors.New("a secret in the URL is visible to other users in ps")

// Error is a URL Parse refuses. Value is the URL the message is about
// (its secret, if any, redacted), or "" when the message names what is
// wrong itself.
type Error struct {
	Value string
	Msg   string
	Err   error // ErrSecret, or url.Parse's error, or nil
}

// Error returns `"VALUE": MSG`, or MSG alone without a Value.
func (e *Error) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("%q: %s", e.Value, e.Msg)
	}
	return e.Msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Parse reads raw as ami://[user@]host[:port] or amis://... (the scheme
// in any case; a trailing "/" is allowed). It refuses, with an *Error, a
// URL that does not parse, another scheme, a secret (ErrSecret), a path,
// query or fragment, and a port outside 1 to 65535.
func Parse(raw string) (URL, error) {
	var out URL
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's message quotes the whole URL, secret and all: say
		// only what is wrong.
		msg := err.Error()
		var pe *url.Error
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return out, &Error{Msg: msg, Err: err}
	}
	switch strings.ToLower(u.Scheme) {
	case "ami":
	case "amis":
		out.TLS = true
	default:
		return out, &Error{Value: u.Redacted(), Msg: "want ami://user@host:port or amis://user@host:port"}
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return out, &Error{Msg: ErrSecret.Error(), Err: ErrSecret}
		}
		out.User = u.User.Username()
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return out, &Error{Value: u.Redacted(), Msg: "unexpected path, query or fragment"}
	}
	out.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return out, &Error{Msg: fmt.Sprintf("port %q: want 1 to 65535", p)}
		}
		out.Port = n
	}
	return out, nil
}
