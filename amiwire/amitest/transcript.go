package amitest

import (
	"bytes"
	"errors"
	"github.com/ami-cli/ami/amiwire/internal/wire"

	"github.com/ami-cli/ami/amiwire"
)

// TranscriptMode says how a session replays Options.Transcript.
type TranscriptMode int

const (
	// ReplayAll writes the whole transcript at once when the client
	// connects, then closes the connection (after Goodbye, Asterisk closes
	// too).
	ReplayAll TranscriptMode = iota
	// ReplayStepwise writes the banner line at connect time; then, each
	// time an action arrives, the transcript's next Response packet and the
	// events that follow it, up to the Response after. Packets before the
	// first Response (none in the fixtures) go with the first answer. When
	// the transcript is used up the connection is closed. The actions'
	// content is ignored: the transcript is replayed as recorded.
	ReplayStepwise
)

// splitTranscript splits raw server bytes into the banner line (with its
// line end; nil when the first line is not a banner) and the packets'
// exact bytes.
func splitTranscript(raw []byte) (banner []byte, packets [][]byte) {
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		line := bytes.TrimRight(raw[:i], "\r")
		if _, ok := wire.BannerVersion(string(line)); ok || !bytes.Contains(line, []byte(":")) {
			banner, raw = raw[:i+1], raw[i+1:]
		}
	}
	rd := amiwire.NewReader(bytes.NewReader(raw))
	var off int64
	for {
		_, err := rd.ReadPacket()
		end := rd.Offset()
		if err != nil {
			var le *amiwire.ProtocolError
			if !errors.As(err, &le) || le.Limit == "" {
				if end > off { // trailing partial packet: keep its bytes
					packets = append(packets, raw[off:end])
				}
				return banner, packets
			}
		}
		packets = append(packets, raw[off:end])
		off = end
	}
}

func isResponse(pkt []byte) bool {
	p, err := amiwire.NewReader(bytes.NewReader(pkt)).ReadPacket()
	return err == nil && p.Has("Response") && !p.Has("Event")
}

func (s *Session) runTranscript(raw []byte, mode TranscriptMode) {
	if mode == ReplayAll {
		s.WriteRaw(raw)
		s.Close()
		s.drain()
		return
	}
	banner, packets := splitTranscript(raw)
	if banner != nil {
		s.WriteRaw(banner)
	}
	rd := amiwire.NewReader(s.conn)
	i := 0
	for {
		p, err := rd.ReadPacket()
		if err != nil {
			var le *amiwire.ProtocolError
			if errors.As(err, &le) && le.Limit != "" {
				continue
			}
			return
		}
		s.srv.record(s, p)
		if s.closing.Load() {
			continue
		}
		// The next Response, anything before it, and the events after it.
		var out []byte
		sawResponse := false
		for ; i < len(packets); i++ {
			if isResponse(packets[i]) {
				if sawResponse {
					break
				}
				sawResponse = true
			}
			out = append(out, packets[i]...)
		}
		s.WriteRaw(out)
		if i >= len(packets) {
			s.Close()
		}
	}
}

// drain reads and discards until the client closes or the linger ends.
func (s *Session) drain() {
	buf := make([]byte, 4096)
	for {
		if _, err := s.conn.Read(buf); err != nil {
			return
		}
	}
}
