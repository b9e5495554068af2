// Package wire holds the rules of the AMI wire format that amiwire shares
// with the fake and simulated servers built on it (amitest, amisim), and
// that are no concern of amiwire's users.
package wire

import "strings"

// Version returns the protocol version of an AMI banner line such as
// "Asterisk Call Manager/11.0.0", and whether the line is an AMI banner.
func BannerVersion(line string) (string, bool) {
	const prefix = "Asterisk Call Manager/"
	if !strings.HasPrefix(line, prefix) {
		// Some proxies and forks send their own product name before the slash.
		i := strings.Index(line, " Call Manager/")
		if i < 0 {
			return "", false
		}
		return line[i+len(" Call Manager/"):], true
	}
	return line[len(prefix):], true
}
