package amisim

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestShippedBinaryLeavesTestsOut: the ami binary runs the simulator on
// amitest's server, yet links neither package testing nor amitest's
// embedded recordings (only this package's few).
func TestShippedBinaryLeavesTestsOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const cmd = "github.com/ami-cli/ami/cmd/ami"
	out, err := exec.Command("go", "list", "-deps", cmd).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "testing" {
			t.Errorf("%s imports package testing", cmd)
		}
	}
	bin := filepath.Join(t.TempDir(), "ami")
	if out, err := exec.Command("go", "build", "-o", bin, cmd).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err = exec.Command("go", "tool", "nm", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool nm: %v\n%s", err, out)
	}
	syms := string(out)
	if !strings.Contains(syms, "amisim.recordingFS") {
		t.Fatal("no amisim.recordingFS symbol: is the check still looking at the right names?")
	}
	if strings.Contains(syms, "amitest.fixtureFS") {
		t.Error("the binary embeds amitest's recordings")
	}
}
