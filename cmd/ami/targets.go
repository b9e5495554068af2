package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/cmd/ami/internal/hosts"
)

// target is one host a command runs against: its name, as the user wrote
// it (what tags its output when there are several), and its settings.
type target struct {
	name    string
	s       connSettings
	profile bool // named by a profile (--profile list, @profile line)
}

// defaultParallel is --parallel's default: how many logins may be in
// progress at once.
const defaultParallel = 16

// targetsFrom resolves the hosts the command runs against, each with its
// settings, in the order given. The hosts come from one of:
//
//   - -H/--host, repeatable, each a comma list (or, for login-check, the
//     HOST arguments in args): the other settings come from the flags, a
//     single --profile, the environment and the defaults, as for one host;
//     a profile's secret goes only to the host it names;
//   - --profile with a comma list: each profile with its own host, user,
//     secret and TLS settings (flags still override them);
//   - --hosts-file FILE ("-": stdin): a host[:port] per line, set up as for
//     -H, or @profile, set up as for --profile.
//
// With none of them it returns the one target of connSettingsFrom's
// sources, named "". A single host from -H is named "" too: its output is
// the one-host output.
func targetsFrom(c *cli.Context, args []string) ([]target, error) {
	var fromH []hosts.Target
	for _, v := range hostFlagValues(c) {
		ts, err := hosts.ParseList(v)
		if err != nil {
			return nil, usageError("-H %q: %v", v, err)
		}
		fromH = append(fromH, ts...)
	}
	if len(args) > 0 {
		// login-check's HOST arguments name the hosts; a single -H
		// only sets the host the other settings are for, as before.
		if len(fromH) > 1 {
			return nil, usageError("HOST arguments and several -H both name hosts: use one of them")
		}
		fromH = fromH[:0]
		for _, v := range args {
			ts, err := hosts.ParseList(v)
			if err != nil {
				return nil, usageError("%v", err)
			}
			fromH = append(fromH, ts...)
		}
	}
	var profiles []hosts.Target
	if name := profileName(c); strings.Contains(name, ",") {
		ts, err := hosts.ParseProfiles(name)
		if err != nil {
			return nil, usageError("--profile %q: %v", name, err)
		}
		profiles = ts
	}
	file := flagString(c, "hosts-file")
	if isSetAny(c, "hosts-file") && file == "" {
		return nil, usageError("--hosts-file is empty: give a file, or - for stdin")
	}
	switch {
	case file != "" && len(fromH) > 0:
		return nil, usageError("--hosts-file and -H both name hosts: use one of them")
	case file != "" && len(profiles) > 0:
		return nil, usageError("--hosts-file and a --profile list both name hosts: use one of them (@profile lines in the file)")
	case len(profiles) > 0 && len(fromH) > 0:
		return nil, usageError("-H and a --profile list both name hosts: -H overrides the host of a single profile only")
	}

	var list []hosts.Target
	switch {
	case file != "":
		ts, err := readHostsFile(c, file)
		if err != nil {
			return nil, err
		}
		list = ts
	case len(profiles) > 0:
		list = profiles
	case len(fromH) > 0:
		list = fromH
	}
	if len(list) <= 1 {
		var at endpoint
		if len(list) == 1 {
			at = endpoint{host: list[0].Host, port: list[0].Port, profile: list[0].Profile}
		}
		s, err := settingsFor(c, at)
		if err != nil {
			return nil, err
		}
		return []target{{s: s}}, nil
	}
	if flagBool(c, "mock") {
		return nil, usageError("--mock is one simulated host: leave out the other hosts")
	}

	// The addresses share one set of settings (one prompt for a secret at
	// most): resolved once, then pointed at each host. A profile list
	// names no addresses; a file may mix both.
	var base *connSettings
	out := make([]target, 0, len(list))
	for _, t := range list {
		if t.IsProfile() {
			s, err := settingsFor(c, endpoint{profile: t.Profile, ofMany: true})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", t.Name, err)
			}
			out = append(out, target{name: t.Name, s: s, profile: true})
			continue
		}
		if base == nil {
			// A host of the list stands in for -H, so that the profile's
			// or the environment's host is not dialled (or asked a
			// secret for) on the way.
			b, err := settingsFor(c, endpoint{host: t.Host, port: t.Port})
			if err != nil {
				return nil, err
			}
			base = &b
		}
		s, err := base.retarget(c, t.Host, t.Port)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		out = append(out, target{name: t.Name, s: s})
	}
	return out, nil
}

// manyHosts reports, without reading a file or a profile, whether the
// command line may name several hosts: -H with more than one, a --profile
// list or --hosts-file.
func manyHosts(c *cli.Context) bool {
	n := 0
	for _, v := range hostFlagValues(c) {
		n += strings.Count(v, ",") + 1
	}
	return n > 1 || strings.Contains(profileName(c), ",") || flagString(c, "hosts-file") != ""
}

// hostFlagValues returns the -H values given on the command line, after
// the subcommand if any were, else before it.
func hostFlagValues(c *cli.Context) []string {
	if cc := lookupSet(c, "host"); cc != nil {
		return cc.StringSlice("host")
	}
	return nil
}

// readHostsFile reads --hosts-file's targets from path, or stdin for "-".
func readHostsFile(c *cli.Context, path string) ([]hosts.Target, error) {
	var r io.Reader
	if path == "-" {
		r = c.App.Reader
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageError("--hosts-file: %v", err)
		}
		defer f.Close()
		r = f
	}
	ts, err := hosts.ParseFile(r, path)
	if err != nil {
		return nil, usageError("--hosts-file %v", err)
	}
	return ts, nil
}

// retarget returns s pointed at host (and port; 0: the port of --port, a
// profile, $AMI_PORT or the default), with the
// secret that may go there, and with TLS the host as the name to verify
// unless --tls-server-name says otherwise.
func (s connSettings) retarget(c *cli.Context, host string, port int) (connSettings, error) {
	if port == 0 {
		port = s.chainPort
	}
	out, err := s.at(host, port)
	if err != nil {
		return out, err
	}
	if s.Config.TLS != nil && !isSetAny(c, "tls-server-name") {
		tc := s.Config.TLS.Clone()
		tc.ServerName = host
		out.Config.TLS = tc
	}
	return out, nil
}

// parallelOf returns --parallel: how many logins may be in progress at
// once.
func parallelOf(c *cli.Context) (int, error) {
	n := defaultParallel
	if isSetAny(c, "parallel") {
		n = flagInt(c, "parallel")
	}
	if n < 1 {
		return 0, usageError("--parallel %d: want 1 or more", n)
	}
	return n, nil
}
