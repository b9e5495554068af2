package nagios_test

import (
	"fmt"
	"os"

	"github.com/ami-cli/ami/format/nagios"
)

// A check of a count against --warning 2 --critical 5, as a list check
// judges its items.
func ExampleThresholds() {
	warn, _ := nagios.ParseRange("2")
	crit, _ := nagios.ParseRange("5")
	th := nagios.Thresholds{Warning: warn, Critical: crit}
	items := 6.0
	st := th.State(items)
	nagios.Check{Service: "AMI CHECK", State: st, Text: "6 channels",
		Perf: []nagios.Perf{{Label: "items", Value: items, Warn: warn, Crit: crit}}}.WriteTo(os.Stdout)
	fmt.Println("exit", st.ExitCode())
	// Output:
	// AMI CHECK CRITICAL - 6 channels | items=6;2;5
	// exit 2
}

func ExampleRange_Alert() {
	r, _ := nagios.ParseRange("@10:20") // alert inside 10..20
	fmt.Println(r.Alert(9), r.Alert(10), r.Alert(20), r.Alert(21))
	// Output: false true true false
}

// Several hosts: the status line sums up the worst state, each host gets
// a line, and their perfdata ends the last line.
func ExampleGroup() {
	total := func(v float64) []nagios.Perf {
		return []nagios.Perf{{Label: "total", Value: v, Unit: "s", Warn: nagios.UpTo(0.2), Crit: nagios.UpTo(1)}}
	}
	nagios.Group{Service: "AMI", Noun: "host", Problem: "down", Items: []nagios.Item{
		{Name: "pbx1:5038", State: nagios.OK, Text: "total 3.0 ms", Perf: total(0.003)},
		{Name: "pbx2:5038", State: nagios.Critical, Text: "connection refused"},
	}}.Check().WriteTo(os.Stdout)
	// Output:
	// AMI CRITICAL - 1 of 2 hosts down: pbx2:5038 connection refused
	// [OK] pbx1:5038 - total 3.0 ms
	// [CRITICAL] pbx2:5038 - connection refused | 'pbx1:5038 total'=0.003s;0.2;1
}
