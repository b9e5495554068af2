// Package amitest runs fake Asterisk Manager Interface servers for tests,
// in the spirit of net/http/httptest: a real TCP listener on 127.0.0.1:0,
// closed by t.Cleanup, whose address a client dials like a real Asterisk.
//
// A Server speaks the AMI of Asterisk 22 as recorded in the project's
// fixtures: the banner "Asterisk Call Manager/11.0.0", plain and MD5
// (Challenge) login, read/write permissions per user, "Permission denied"
// before login, the login Events header and the Events action, per-session
// Filter, Logoff with Goodbye, and Asterisk's own "Invalid/unknown command"
// error. Tests add per-action handlers (Server.Handle) answering with the
// Session helpers (Success, Error, SendList, StartList, SendEvent) or with
// hand-written bytes (RawReply), inject events (Server.Emit,
// Server.EmitRaw), wait for what the server received (Server.WaitAction,
// Server.Requests, Server.WaitForSessions) and make it misbehave (Fault:
// close mid-packet, stall, drip, garbage, oversized line, no answer, close
// after login, close mid-list, close after answer, no or foreign banner),
// or replay a recorded server transcript (Options.Transcript).
//
// A Simulator (NewSimulator) installs handlers that make a Server behave
// like a small PBX: Ping, CoreSettings, CoreStatus, CoreShowChannels,
// Status, QueueStatus, Command, Originate (simulated Local channel pairs
// with the events of a real call), Hangup, UserEvent, DBPut/DBGet, plus
// background calls, replay of a capture's events, and Flood for
// benchmarks. `ami mock` and `ami --mock` run it.
//
// Copies of the Asterisk 22 fixtures are embedded (Fixture, FixtureNames),
// so the simulator works where the fixtures directory does not exist.
package amitest
