package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
	"github.com/ami-cli/ami/format/nagios"
)

// The Nagios plugin exit codes, as login-check exits with them.
const (
	nagiosOK       = int(nagios.OK)
	nagiosWarning  = int(nagios.Warning)
	nagiosCritical = int(nagios.Critical)
	nagiosUnknown  = int(nagios.Unknown)
)

// okLine is the shape of a login-check OK line.
var okLine = regexp.MustCompile(`^AMI OK - admin@127\.0\.0\.1:\d+ \(Asterisk Call Manager/11\.0\.0\) login \d+\.\d ms \| ` +
	`connect=[\d.]+s banner=[\d.]+s login=[\d.]+s ping=[\d.]+s total=[\d.]+s;;;0\n$`)

func TestLoginCheck(t *testing.T) {
	good := amitest.NewServer(t, amitest.Options{})
	badBanner := amitest.NewServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultBadBanner}}})
	noBanner := amitest.NewServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultNoBanner}}})
	noPong := amitest.NewServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer, Action: "Ping"}}})
	wrongUser := amitest.NewServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "other"}}})
	refused := closedAddr(t)

	for _, tc := range []struct {
		name string
		addr string
		args []string
		code int
		line string // regexp for the whole output
	}{
		{"ok", good.Addr(), nil, nagiosOK, okLine.String()},
		{"ok with thresholds", good.Addr(), []string{"-w", "5s", "-c", "10s"}, nagiosOK, `^AMI OK - .* total=[\d.]+s;5;10;0\n$`},
		{"other action", good.Addr(), []string{"--action", "CoreStatus"}, nagiosCritical, `^AMI CRITICAL - admin@\S+ CoreStatus answered Error: Invalid/unknown command`},
		{"warning", good.Addr(), []string{"--warning", "1ns"}, nagiosWarning, `^AMI WARNING - admin@\S+ \(Asterisk Call Manager/11\.0\.0\) login [\d.]+ ms, total [\d.]+ ms > warning 1ns \| .*total=[\d.]+s;0\.000000001;;0\n$`},
		{"critical threshold", good.Addr(), []string{"-w", "1ns", "-c", "2ns"}, nagiosCritical, `^AMI CRITICAL - .* > critical 2ns \|`},
		{"refused", refused, nil, nagiosCritical, `^AMI CRITICAL - admin@` + regexp.QuoteMeta(refused) + ` connection refused\n$`},
		{"bad banner", badBanner.Addr(), nil, nagiosCritical, `^AMI CRITICAL - admin@\S+ bad banner: .*SSH`},
		{"no banner", noBanner.Addr(), []string{"--timeout", "300ms"}, nagiosCritical, `^AMI CRITICAL - admin@\S+ timeout after 300ms waiting for the banner\n$`},
		{"no reply", noPong.Addr(), []string{"--timeout", "300ms"}, nagiosCritical, `^AMI CRITICAL - admin@\S+ no reply to Ping within 300ms\n$`},
		{"authentication", wrongUser.Addr(), nil, nagiosCritical, `^AMI CRITICAL - admin@\S+ authentication failed for user "admin"\n$`},
		{"quiet ok", good.Addr(), []string{"-q"}, nagiosOK, `^$`},
		{"quiet failure", refused, []string{"-q"}, nagiosCritical, `^AMI CRITICAL - .*connection refused\n$`},
		{"unknown flag value", good.Addr(), []string{"--warning", "soon"}, nagiosUnknown, `^AMI UNKNOWN - .*warning`},
		{"unknown thresholds", good.Addr(), []string{"-w", "2s", "-c", "1s"}, nagiosUnknown, `^AMI UNKNOWN - --warning 2s is above --critical 1s\n$`},
		{"unknown output", good.Addr(), []string{"-o", "raw"}, nagiosUnknown, `^AMI UNKNOWN - -o "raw"`},
		{"unknown host arg", good.Addr(), []string{"pbx:port"}, nagiosUnknown, `^AMI UNKNOWN - "pbx:port": port "port"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			code, out, errOut := runCmd(t, testCtx(t), tc.addr, "login-check", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stdout %q, stderr %q", code, tc.code, out, errOut)
			}
			if !regexp.MustCompile(tc.line).MatchString(out) {
				t.Errorf("output %q does not match %q (stderr %q)", out, tc.line, errOut)
			}
			if strings.Contains(out+errOut, "other") {
				t.Error("a secret leaked")
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestLoginCheckSeveralHosts(t *testing.T) {
	a := amitest.NewServer(t, amitest.Options{})
	b := amitest.NewServer(t, amitest.Options{})
	refused := closedAddr(t)
	code, out, errOut := runCmd(t, testCtx(t), a.Addr(), "login-check", a.Addr(), refused, b.Addr())
	if code != nagiosCritical {
		t.Errorf("exit %d; stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines: %q", len(lines), out)
	}
	// The first line, which Nagios shows, tells the worst state; the
	// hosts follow in argument order; every host that answered has its
	// own perfdata labels, all on the last line.
	for i, want := range []string{
		"AMI CRITICAL - 1 of 3 hosts down: " + refused + " connection refused",
		"[OK] " + a.Addr() + " - total ",
		"[CRITICAL] " + refused + " - connection refused",
		"[OK] " + b.Addr() + " - total ",
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d: %q, want prefix %q", i+1, lines[i], want)
		}
	}
	if strings.Contains(lines[0], "|") || strings.Contains(lines[1], "|") {
		t.Errorf("perfdata before the last line: %q", out)
	}
	for _, host := range []string{a.Addr(), b.Addr()} {
		for _, label := range []string{"connect", "banner", "login", "ping", "total"} {
			if !strings.Contains(lines[3], " '"+host+" "+label+"'=") {
				t.Errorf("no perfdata %q for %s: %q", label, host, lines[3])
			}
		}
	}
	if strings.Contains(lines[3], refused+" ") && strings.Contains(lines[3], "'"+refused) {
		t.Errorf("perfdata for the host that is down: %q", lines[3])
	}

	// -q keeps the summary and the host that is down; a host without a
	// port uses --port.
	_, port, _ := strings.Cut(a.Addr(), ":")
	code, out, _ = runCmd(t, testCtx(t), a.Addr(), "login-check", "-q", "--port", port, "127.0.0.1", refused)
	lines = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != nagiosCritical || len(lines) != 2 || lines[0] != "AMI CRITICAL - 1 of 2 hosts down: "+refused+" connection refused" ||
		!strings.HasPrefix(lines[1], "[CRITICAL] "+refused+" - connection refused | '"+a.Addr()+" connect'=") {
		t.Errorf("-q: exit %d, %q", code, out)
	}
	// -q with every host OK prints nothing.
	code, out, _ = runCmd(t, testCtx(t), a.Addr(), "login-check", "-q", a.Addr(), b.Addr())
	if code != nagiosOK || out != "" {
		t.Errorf("-q all OK: exit %d, %q", code, out)
	}
	// A slow host is not "down": the summary says "not OK" and names it.
	code, out, _ = runCmd(t, testCtx(t), a.Addr(), "login-check", "-w", "1ns", a.Addr(), refused)
	if code != nagiosCritical || !strings.HasPrefix(out, "AMI CRITICAL - 2 of 2 hosts not OK: "+refused+" connection refused; "+a.Addr()+" total ") ||
		!strings.Contains(out, "\n[WARNING] "+a.Addr()+" - total ") {
		t.Errorf("slow and down: exit %d, %q", code, out)
	}
}

// normalizeCheck makes login-check output comparable with a golden file:
// timings become N and each distinct port becomes PORT1, PORT2, ... in
// order of appearance.
func normalizeCheck(out string) string {
	ports := map[string]string{}
	out = regexp.MustCompile(`127\.0\.0\.1:\d+`).ReplaceAllStringFunc(out, func(addr string) string {
		if ports[addr] == "" {
			ports[addr] = fmt.Sprintf("127.0.0.1:PORT%d", len(ports)+1)
		}
		return ports[addr]
	})
	out = regexp.MustCompile(`\d+\.\d ms`).ReplaceAllString(out, "N ms")
	return regexp.MustCompile(`=[\d.]+s`).ReplaceAllString(out, "=Ns")
}

// TestLoginCheckGolden pins the whole output for one host OK, several
// hosts with one down, a warning by threshold, and text from the server
// (a banner, an error message) holding "|" and a line break.
func TestLoginCheckGolden(t *testing.T) {
	good := amitest.NewServer(t, amitest.Options{})
	good2 := amitest.NewServer(t, amitest.Options{})
	evil := amitest.NewServer(t, amitest.Options{Banner: "Asterisk Call Manager/11.0.0 | evil\rAMI OK - fake | x=1"})
	evil.HandlePerm("Pipe", "", func(s *amitest.Session, a amiwire.Packet) {
		s.Error(a, "no | way\rAMI OK - fake")
	})
	refused := closedAddr(t)
	for _, tc := range []struct {
		golden string
		code   int
		args   []string
	}{
		{"login-check-ok.text", nagiosOK, []string{"-w", "200", "-c", "300", good.Addr()}},
		{"login-check-hosts-one-down.text", nagiosCritical, []string{"-c", "300", good.Addr(), refused, good2.Addr()}},
		{"login-check-warning.text", nagiosWarning, []string{"--warning", "0.000001", good.Addr()}},
		{"login-check-hosts-warning.text", nagiosWarning, []string{"--warning", "0.000001", "--critical", "300", good.Addr(), good2.Addr()}},
		{"login-check-banner.text", nagiosOK, []string{evil.Addr()}},
		{"login-check-banner-hosts.text", nagiosCritical, []string{"--action", "Pipe", evil.Addr(), good.Addr()}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			code, out, errOut := runCmd(t, testCtx(t), good.Addr(), "login-check", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stdout %q, stderr %q", code, tc.code, out, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			for i, l := range lines {
				if n := strings.Count(l, "|"); n > 1 || n == 1 && i != 0 && i != len(lines)-1 || strings.Contains(l, "\r") {
					t.Errorf("line %d breaks the plugin format: %q", i+1, l)
				}
			}
			goldenCheck(t, tc.golden, normalizeCheck(out))
		})
	}
}

func TestLoginCheckJSON(t *testing.T) {
	good := amitest.NewServer(t, amitest.Options{})
	refused := closedAddr(t)
	code, out, errOut := runCmd(t, testCtx(t), good.Addr(), "login-check", "-o", "json", "-w", "10s", good.Addr(), refused)
	if code != nagiosCritical {
		t.Errorf("exit %d; stderr %q", code, errOut)
	}
	var rs []checkResult
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r checkResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		rs = append(rs, r)
	}
	if len(rs) != 2 {
		t.Fatalf("%d objects", len(rs))
	}
	ok, bad := rs[0], rs[1]
	if ok.Status != "OK" || ok.Code != 0 || ok.Version != "11.0.0" || ok.Total <= 0 || ok.Login <= 0 || ok.Warning != 10 || ok.Stage != "" {
		t.Errorf("ok: %+v", ok)
	}
	if bad.Status != "CRITICAL" || bad.Code != 2 || bad.Stage != stageRefused || bad.Address != "admin@"+refused {
		t.Errorf("refused: %+v", bad)
	}
}

func TestLoginCheckDNS(t *testing.T) {
	good := amitest.NewServer(t, amitest.Options{})
	code, out, _ := runCmd(t, testCtx(t), good.Addr(), "login-check", "--timeout", "3s", "no-such-host.invalid:5038")
	if code != nagiosCritical || !strings.Contains(out, "admin@no-such-host.invalid:5038") {
		t.Errorf("exit %d, %q", code, out)
	}
	if !strings.Contains(out, "DNS lookup failed") && !strings.Contains(out, "timeout") {
		t.Errorf("stage not named: %q", out)
	}
}

func TestMockLoginCheck(t *testing.T) {
	code, out, errOut := runAMI(t, testCtx(t), "", "--mock", "login-check")
	if code != nagiosOK || !strings.HasPrefix(out, "AMI OK - admin@127.0.0.1:") {
		t.Errorf("exit %d, %q, stderr %q", code, out, errOut)
	}
}

// TestLoginCheckProfileNames: with a --profile list or @profile lines the
// hosts are named by their profiles, as every other command names them,
// even when two profiles share an address (two users of one PBX).
func TestLoginCheckProfileNames(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	fleetConfig(t, map[string]string{"east": srv.Addr(), "west": srv.Addr(), "down": closedAddr(t)})
	for _, args := range [][]string{
		{"--profile", "east,west,down", "login-check"},
		{"--hosts-file", "-", "login-check"},
	} {
		r := amiRun(t, "@east\n@west\n@down\n", args...)
		r.want(t, 2)
		lines := strings.Split(r.stdout, "\n")
		if len(lines) < 4 || !strings.HasPrefix(lines[0], "AMI CRITICAL - 1 of 3 hosts down: down ") ||
			!strings.HasPrefix(lines[1], "[OK] east - ") || !strings.HasPrefix(lines[2], "[OK] west - ") ||
			!strings.HasPrefix(lines[3], "[CRITICAL] down - ") ||
			!strings.Contains(r.stdout, "'east total'=") || !strings.Contains(r.stdout, "'west total'=") {
			t.Errorf("%v:\n%s", args, r.stdout)
		}
	}
	// JSON names them too, first, besides the address both share.
	r := amiRun(t, "", "--profile", "east,west,down", "login-check", "-o", "json")
	r.want(t, 2)
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var rec struct {
			Name, Address string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil || !strings.HasPrefix(line, `{"name":`) {
			t.Fatalf("line %q: %v", line, err)
		}
		names = append(names, rec.Name)
	}
	if strings.Join(names, ",") != "east,west,down" {
		t.Errorf("names %v, want east,west,down:\n%s", names, r.stdout)
	}
}
