// Package hosts reads the lists of AMI servers that one ami command runs
// against: -H/--host values (repeatable, comma lists), --profile comma
// lists, and --hosts-file files.
//
// A Target is one server as the user named it: an address (host, host:port
// or [v6addr]:port) or a profile (@name in a file, or a --profile name).
// Its Name is what the user wrote, less a profile's '@', and is how ami
// tags that server's output.
package hosts

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// Target is one server to run against: either an address (Host, and Port
// when one was written) or a profile (Profile).
type Target struct {
	// Name is what the user wrote: "pbx1", "pbx2:5039", "[::1]:5038" or,
	// for a profile, its name without '@'.
	Name string
	// Host is the host name or address, without brackets; "" for a
	// profile.
	Host string
	// Port is the port written after the host, or 0 when none was.
	Port int
	// Profile is the name of the profile; "" for an address.
	Profile string
}

// IsProfile reports whether t names a profile rather than an address.
func (t Target) IsProfile() bool { return t.Profile != "" }

// MaxHosts bounds how many targets a list or file may name, so that a
// wrong file (a log, a binary) fails fast rather than dialling without
// end.
const MaxHosts = 10000

// maxLine bounds a line of a hosts file.
const maxLine = 4096

// ParseAddr reads HOST, HOST:PORT or [V6ADDR]:PORT (and [V6ADDR]); port is
// 0 when none was written. A bare IPv6 address without brackets is taken
// as a host when it holds two colons or more.
func ParseAddr(s string) (host string, port int, err error) {
	if s == "" {
		return "", 0, errors.New("empty host")
	}
	if h, p, serr := net.SplitHostPort(s); serr == nil {
		n, perr := strconv.Atoi(p)
		if perr != nil || n <= 0 || n > 65535 || p[0] == '+' {
			return "", 0, fmt.Errorf("%q: port %q: want 1 to 65535", s, p)
		}
		host, port = h, n
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		host = s[1 : len(s)-1]
	} else if strings.Count(s, ":") == 1 || strings.ContainsAny(s, "[]") {
		return "", 0, fmt.Errorf("%q: want HOST, HOST:PORT or [IPV6]:PORT", s)
	} else {
		host = s
	}
	if host == "" || strings.ContainsFunc(host, badHostRune) {
		return "", 0, fmt.Errorf("%q: want HOST, HOST:PORT or [IPV6]:PORT", s)
	}
	return host, port, nil
}

// badHostRune reports the characters no host name or address holds:
// spaces, controls, and the separators of URLs, lists and files.
func badHostRune(r rune) bool {
	return r <= ' ' || r == 0x7f || strings.ContainsRune("/,@#[]\\?\"'", r) || r >= 0x80 && r < 0xa0
}

// ParseList reads a comma-separated list of addresses, as -H takes it
// ("pbx1,pbx2:5039"). Spaces around an item are dropped; an empty item is
// an error.
func ParseList(s string) ([]Target, error) {
	var out []Target
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		t, err := parseAddrTarget(item)
		if err != nil {
			return nil, err
		}
		if out = append(out, t); len(out) > MaxHosts {
			return nil, fmt.Errorf("more than %d hosts", MaxHosts)
		}
	}
	return out, nil
}

func parseAddrTarget(item string) (Target, error) {
	if item == "" {
		return Target{}, errors.New("empty host in the list")
	}
	h, p, err := ParseAddr(item)
	if err != nil {
		return Target{}, err
	}
	return Target{Name: item, Host: h, Port: p}, nil
}

// ParseProfiles reads a comma-separated list of profile names, as
// --profile takes it ("pbx1,pbx2").
func ParseProfiles(s string) ([]Target, error) {
	var out []Target
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		t, err := profileTarget(item)
		if err != nil {
			return nil, err
		}
		if out = append(out, t); len(out) > MaxHosts {
			return nil, fmt.Errorf("more than %d profiles", MaxHosts)
		}
	}
	return out, nil
}

func profileTarget(name string) (Target, error) {
	if name == "" {
		return Target{}, errors.New("empty profile name in the list")
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune("[],@#;", r) }) {
		return Target{}, fmt.Errorf("%q: not a profile name", name)
	}
	return Target{Name: name, Profile: name}, nil
}

// FileError is a line of a hosts file that could not be read.
type FileError struct {
	File string // the file's name as given ("-" for stdin)
	Line int    // 1-based; 0 for a failure to read the file
	Err  error
}

func (e *FileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// ParseFile reads a hosts file from r; name names it in errors. Each line
// holds one target: HOST, HOST:PORT, [V6ADDR]:PORT, or @PROFILE. A '#'
// starts a comment (at the start of a line, or after a space); blank lines
// are skipped; CRLF line ends are taken. A file that names no target is an
// error, as is a line longer than 4 KiB or more than MaxHosts targets.
// Every failure is a *FileError.
func ParseFile(r io.Reader, name string) ([]Target, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), maxLine)
	var out []Target
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if i := commentStart(line); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var t Target
		var err error
		if p, ok := strings.CutPrefix(line, "@"); ok {
			t, err = profileTarget(p)
		} else if strings.ContainsAny(line, " \t,") {
			err = errors.New("one host per line")
		} else {
			t, err = parseAddrTarget(line)
		}
		if err != nil {
			return nil, &FileError{File: name, Line: lineNo, Err: err}
		}
		if out = append(out, t); len(out) > MaxHosts {
			return nil, &FileError{File: name, Line: lineNo, Err: fmt.Errorf("more than %d hosts", MaxHosts)}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &FileError{File: name, Line: lineNo + 1, Err: fmt.Errorf("line longer than %d bytes", maxLine)}
		}
		return nil, &FileError{File: name, Err: err}
	}
	if len(out) == 0 {
		return nil, &FileError{File: name, Err: errors.New("names no host")}
	}
	return out, nil
}

// commentStart returns where a comment starts in line: a '#' first on
// the line or after a space or tab; -1 when there is none.
func commentStart(line string) int {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return i
		}
	}
	return -1
}
