// Package amiwire speaks the Asterisk Manager Interface (AMI) as
// net/textproto speaks text protocols: packets, a reader and a writer for
// the wire format, and a client connection with login, ActionID
// correlation, event lists and a bounded queue of async events. It knows
// nothing about command-line flags or output formats.
//
// Connect: Dial logs in as Config says and returns a *Client (DialSend
// sends actions in the same write as the Login); Client.ConnState says
// what Dial found out.
//
// Ask: Client.Do sends an action and waits for its Response: the
// response, and for an event list its items and final event.
// Client.Stream hands a big list's items over one by one instead of
// keeping them. Client.Send only sends (pipelining) and returns a
// *Pending to Wait or Stream. NewAction builds an action; ValidateSend
// checks one before anything is dialled or sent.
//
// Listen: Client.NextEvents takes the async events (Config.Events turns
// them on); Client.WatchEvent waits for the first that matches, such as
// the OriginateResponse of an async Originate. ConnState counts those
// queued and those a full queue dropped. Config.KeepAlive has the Client
// ping a silent server and end the connection when a Ping goes
// unanswered (ErrNoPong); Logoff and Close end it, however full the queue
// (from Logoff on, a full queue drops instead of waiting); Done and Err
// say when and why it ended.
//
// Packets: a Packet is its ordered Fields (Get, Lookup, Has, Values,
// Add; keys match case-insensitively: Get("Event") is an event's name,
// Get("ActionID") what ties a response to its action) and, when read, its
// wire bytes (Raw). What the Client hands out is the caller's to keep and never
// changes; Clone copies, and Complete serves the consumers
// that ask to have packets lent instead (Config.Lend).
//
// The wire alone: a Reader (ReadBanner, ReadPacket, Offset) and a Writer
// (WriteAction) work over any io.Reader and io.Writer.
//
// Errors, for errors.As and errors.Is: *ConnectError (Dial, naming the
// stage), *ActionError (Response: Error, to any action: inside a
// *ConnectError at StageLogin, with Action "Login", a refused login),
// *FieldError (an action that cannot be sent as it is),
// *IncompleteListError (a list cut short or miscounted; wrapping
// ErrOverflow when its items were taken too slowly), *ProtocolError (a
// broken stream, or a packet over a size limit), ErrClosed for a
// connection that has ended, and inside a *ConnectError ErrServerTLS or
// ErrServerPlain (the server speaks the other protocol: dial the other
// way).
//
// Nearby: amitls checks TLS certificates as Dial does (pinning, the
// CN-only certificates of ast_tls_cert); calls correlates events into
// calls; amitest is a fake AMI server for tests, amisim the simulated PBX
// built on it.
package amiwire
