package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// okLine is the shape of a login-check OK line.
var okLine = regexp.MustCompile(`^AMI OK - admin@127\.0\.0\.1:\d+ \(Asterisk Call Manager/11\.0\.0\) login \d+\.\d ms \| ` +
	`connect=\d+\.\d{4}s banner=\d+\.\d{4}s login=\d+\.\d{4}s ping=\d+\.\d{4}s total=\d+\.\d{4}s;[\d.]*;[\d.]*;0\n$`)

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
		{"ok with thresholds", good.Addr(), []string{"-w", "5s", "-c", "10s"}, nagiosOK, `^AMI OK - .* total=\d+\.\d{4}s;5\.0000;10\.0000;0\n$`},
		{"other action", good.Addr(), []string{"--action", "CoreStatus"}, nagiosCritical, `^AMI CRITICAL - admin@\S+ CoreStatus answered Error: Invalid/unknown command`},
		{"warning", good.Addr(), []string{"--warning", "1ns"}, nagiosWarning, `^AMI WARNING - admin@\S+ \(Asterisk Call Manager/11\.0\.0\) login [\d.]+ ms, total [\d.]+ ms > warning 1ns \| .*total=\d+\.\d{4}s;0\.0000;;0\n$`},
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
		{"unknown host arg", good.Addr(), []string{"pbx:port"}, nagiosUnknown, `^AMI UNKNOWN - "pbx:port": bad port`},
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
	if len(lines) != 3 {
		t.Fatalf("%d lines: %q", len(lines), out)
	}
	for i, want := range []string{"AMI OK - admin@" + a.Addr(), "AMI CRITICAL - admin@" + refused, "AMI OK - admin@" + b.Addr()} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d: %q, want prefix %q", i, lines[i], want)
		}
	}
	// -q keeps only the failure; a host without a port uses --port.
	_, port, _ := strings.Cut(a.Addr(), ":")
	code, out, _ = runCmd(t, testCtx(t), a.Addr(), "login-check", "-q", "--port", port, "127.0.0.1", refused)
	if code != nagiosCritical || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "AMI CRITICAL") {
		t.Errorf("-q: exit %d, %q", code, out)
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
