package amiwire

import (
	"strings"
	"unsafe"
)

// Field is one "Key: Value" line of a packet. A line that arrived without a
// colon is kept as a Field with an empty Key and the whole line as Value.
type Field struct {
	Key   string
	Value string
}

// packetKind says what a packet is: an action (client to server), a response or
// an event.
type packetKind int

// The packet kinds. kindUnknown is a packet with none of the identifying keys.
const (
	kindUnknown packetKind = iota
	kindAction
	kindResponse
	kindEvent
)

// String returns the lower-case name of the kind.
func (k packetKind) String() string {
	switch k {
	case kindAction:
		return "action"
	case kindResponse:
		return "response"
	case kindEvent:
		return "event"
	}
	return "unknown"
}

// Packet is one AMI message: an ordered list of fields that keeps duplicate
// keys and the key case as received. Lookups by key are case-insensitive.
//
// Raw holds the exact bytes that arrived, line ends and terminating empty
// line included; the keys and values of a packet read from the wire lie in
// it. Packets built by a program have a nil Raw. A packet amiwire hands
// out is its receiver's: nothing changes its memory afterwards (but see
// Config.Lend, for a consumer that asks to have it lent instead).
type Packet struct {
	Fields []Field
	Raw    []byte
}

// NewAction returns an action packet "Action: name" followed by the given
// key/value pairs, in order. An odd trailing key gets an empty value.
func NewAction(name string, kv ...string) Packet {
	p := Packet{Fields: make([]Field, 0, 1+(len(kv)+1)/2)}
	p.Fields = append(p.Fields, Field{"Action", name})
	for i := 0; i < len(kv); i += 2 {
		f := Field{Key: kv[i]}
		if i+1 < len(kv) {
			f.Value = kv[i+1]
		}
		p.Fields = append(p.Fields, f)
	}
	return p
}

// Add appends a field, keeping any earlier field with the same key. It
// clears Raw, which no longer matches the fields.
func (p *Packet) Add(key, value string) {
	p.Fields = append(p.Fields, Field{key, value})
	p.Raw = nil
}

// Lookup returns the value of the first field named key (case-insensitive)
// and whether there was one.
func (p Packet) Lookup(key string) (string, bool) {
	for _, f := range p.Fields {
		if len(f.Key) == len(key) && strings.EqualFold(f.Key, key) {
			return f.Value, true
		}
	}
	return "", false
}

// Get returns the value of the first field named key (case-insensitive), or
// "" when there is none.
func (p Packet) Get(key string) string {
	v, _ := p.Lookup(key)
	return v
}

// Has reports whether the packet has a field named key (case-insensitive).
func (p Packet) Has(key string) bool {
	_, ok := p.Lookup(key)
	return ok
}

// Values returns the values of every field named key (case-insensitive), in
// order.
func (p Packet) Values(key string) []string {
	var vs []string
	for _, f := range p.Fields {
		if strings.EqualFold(f.Key, key) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// kind classifies the packet. An Event key wins over Response, because some
// events (OriginateResponse) also carry "Response: Success".
func (p Packet) kind() packetKind {
	k := kindUnknown
	for _, f := range p.Fields {
		switch {
		case strings.EqualFold(f.Key, "Event"):
			return kindEvent
		case k == kindUnknown && strings.EqualFold(f.Key, "Response"):
			k = kindResponse
		case k == kindUnknown && strings.EqualFold(f.Key, "Action"):
			k = kindAction
		}
	}
	return k
}

// isError reports whether the packet is a "Response: Error".
func (p Packet) isError() bool {
	return p.kind() == kindResponse && strings.EqualFold(p.Get("Response"), "Error")
}

// Clone returns a copy of p that shares no memory with it, to change
// freely or to keep past the life of a lent packet (Config.Lend). It holds
// only p's own bytes: Raw, and its keys and values (in one buffer, where
// those that lie in Raw stay there).
func (p Packet) Clone() Packet { return p.own() }

// heldSize returns about how much memory p keeps alive while it is held:
// its bytes (Raw, where the Reader puts the strings of its fields too, or
// the keys and values of a packet without Raw), its Fields and the Packet
// itself. It is what Config.EventBuffer counts.
func (p Packet) heldSize() int {
	n := packetSize + len(p.Fields)*fieldSize
	if p.Raw != nil {
		return n + len(p.Raw)
	}
	for _, f := range p.Fields {
		n += len(f.Key) + len(f.Value) + 4
	}
	return n + 2
}

// The sizes of a Packet and a Field, for heldSize.
const (
	packetSize = int(unsafe.Sizeof(Packet{}))
	fieldSize  = int(unsafe.Sizeof(Field{}))
)

// String renders the packet in wire form with LF line ends, for messages and
// debugging. Use Writer to put a packet on the wire.
func (p Packet) String() string {
	var b strings.Builder
	for _, f := range p.Fields {
		if f.Key != "" {
			b.WriteString(f.Key)
			b.WriteString(": ")
		}
		b.WriteString(f.Value)
		b.WriteByte('\n')
	}
	return b.String()
}
