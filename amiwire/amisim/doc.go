// Package amisim is the simulated Asterisk 22 PBX behind `ami mock` and
// `ami --mock`: a Simulator installs handlers on an amitest.Server that
// answer Ping, CoreSettings, CoreStatus, CoreShowChannels, Status,
// QueueStatus, Command, Originate (simulated Local channel pairs with the
// events of a real call), Hangup, UserEvent and DBPut/DBGet, and adds
// background calls, replay of a capture's events, and Flood for
// benchmarks.
//
// What it sends is shaped after recordings of a real Asterisk 22.10.1; it
// embeds copies of the few it takes bytes from (recordings/README.md), not
// the whole set.
package amisim
