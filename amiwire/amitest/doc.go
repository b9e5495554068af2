// Package amitest runs fake Asterisk Manager Interface servers for tests,
// in the spirit of net/http/httptest: a real TCP listener on 127.0.0.1:0,
// closed by t.Cleanup, whose address a client dials like a real Asterisk.
//
// A Server speaks the AMI of Asterisk 22 as recorded in the project's
// fixtures: the banner "Asterisk Call Manager/11.0.0", plain and MD5
// (Challenge) login, read/write permissions per user, "Permission denied"
// before login, the login Events header and the Events action, per-session
// Filter, Ping, Logoff with Goodbye, and Asterisk's own
// "Invalid/unknown command" error. Tests add per-action handlers
// (Server.Handle) answering with the Session helpers (Success, Error,
// SendList, StartList, SendEvent) or with hand-written bytes (RawReply),
// inject events (Server.Emit, Server.EmitRaw), wait for what the server
// received (Server.WaitAction, Server.Requests, Server.WaitForSessions) and
// make it misbehave (Fault: close mid-packet, stall, drip, garbage,
// oversized line, no answer, close after login, close mid-list, close
// after answer, no or foreign banner), or replay a recorded server
// transcript (Options.Transcript). A ManualClock drives simulated time
// without sleeping.
//
// The recordings of a real Asterisk 22 are embedded for tests (Fixture,
// FixtureNames).
//
// The simulated PBX behind `ami mock` is package amisim, built on the
// server's hooks for code outside this package: AddLoginHook,
// AddCloseHook, EncodedEvent with Session.Wants and Server.EmitEncoded,
// Session.WriteOwned and WaitQueued for long streams, and
// ListWriter.AppendItems for big lists. The package does not import
// testing, so that `ami` can ship the server without it.
package amitest
