package amiwire

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// tracer writes wire lines with a direction mark ('>' sent, '<' received),
// one trace line per wire line and a bare mark line at the end of each
// packet, masking the values of Secret and Key headers. A nil *tracer
// traces nothing.
type tracer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

// traceMasked reports whether the value of header key never reaches a
// trace.
func traceMasked(key string) bool {
	key = strings.TrimSpace(key)
	return strings.EqualFold(key, "Secret") || strings.EqualFold(key, "Key")
}

// line traces one line that is not part of a packet (the banner).
func (t *tracer) line(dir byte, s string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(append(append(t.buf[:0], dir, ' '), s...), '\n')
	_, _ = t.w.Write(t.buf)
}

// packet traces p: the bytes that arrived for a packet read (Raw), the
// fields for one built by a program.
func (t *tracer) packet(dir byte, p Packet) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf[:0]
	if p.Raw != nil {
		raw := p.Raw
		for len(raw) > 0 {
			var l []byte
			if i := bytes.IndexByte(raw, '\n'); i >= 0 {
				l, raw = raw[:i], raw[i+1:]
			} else {
				l, raw = raw, nil
			}
			l = bytes.TrimSuffix(l, []byte{'\r'})
			if len(l) == 0 {
				continue // the packet's final empty line: traced below
			}
			b = appendTraceLine(b, dir, l)
		}
	} else {
		for _, f := range p.Fields {
			b = append(b, dir, ' ')
			b = append(b, f.Key...)
			if traceMasked(f.Key) {
				b = append(b, ": ***"...)
			} else if f.Key != "" {
				b = append(append(b, ": "...), f.Value...)
			} else {
				b = append(b, f.Value...)
			}
			b = append(b, '\n')
		}
	}
	b = append(b, dir, '\n')
	t.buf = b
	_, _ = t.w.Write(b)
}

// appendTraceLine appends one received line, masked when its key says so.
func appendTraceLine(b []byte, dir byte, l []byte) []byte {
	b = append(b, dir, ' ')
	if i := bytes.IndexByte(l, ':'); i >= 0 && traceMasked(string(l[:i])) {
		b = append(append(b, l[:i]...), ": ***"...)
	} else {
		b = append(b, l...)
	}
	return append(b, '\n')
}
