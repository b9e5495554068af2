package wire

import "testing"

func TestBannerVersion(t *testing.T) {
	tests := []struct {
		line    string
		version string
		ok      bool
	}{
		{"Asterisk Call Manager/11.0.0", "11.0.0", true},
		{"Asterisk Call Manager/", "", true},
		{"Acme PBX Call Manager/2.8.0", "2.8.0", true},
		{"asterisk call manager/11.0.0", "", false},
		{"SSH-2.0-OpenSSH_9.6", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		if v, ok := BannerVersion(tc.line); v != tc.version || ok != tc.ok {
			t.Errorf("BannerVersion(%q) = %q, %v; want %q, %v", tc.line, v, ok, tc.version, tc.ok)
		}
	}
}
