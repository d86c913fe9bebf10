package config_test

import (
	"io"
	"strings"
	"testing"

	"practica/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestDebugAddr: the debug listener is off by default, accepts loopback
// addresses only, and says why it refuses the others.
func TestDebugAddr(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    string
		wantErr string
	}{
		{"off by default", nil, nil, "", ""},
		{"ipv4 loopback from env", map[string]string{"PRACTICA_DEBUG_ADDR": "127.0.0.1:6060"}, nil, "127.0.0.1:6060", ""},
		{"flag beats env", map[string]string{"PRACTICA_DEBUG_ADDR": "127.0.0.1:6060"}, []string{"--debug-addr", "127.0.0.1:0"}, "127.0.0.1:0", ""},
		{"ipv6 loopback", nil, []string{"--debug-addr", "[::1]:6060"}, "[::1]:6060", ""},
		{"localhost", nil, []string{"--debug-addr", "localhost:6060"}, "localhost:6060", ""},
		{"all interfaces", nil, []string{"--debug-addr", "0.0.0.0:6060"}, "", "not a loopback address"},
		{"empty host", nil, []string{"--debug-addr", ":6060"}, "", "not a loopback address"},
		{"ipv6 any", nil, []string{"--debug-addr", "[::]:6060"}, "", "not a loopback address"},
		{"public address", map[string]string{"PRACTICA_DEBUG_ADDR": "192.0.2.7:6060"}, nil, "", "not a loopback address"},
		{"host name", nil, []string{"--debug-addr", "example.org:6060"}, "", "not a loopback address"},
		{"no port", nil, []string{"--debug-addr", "127.0.0.1"}, "", "want host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load("serve", tt.args, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), "debug-addr") || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load(%v, env %v) error = %v; want one naming debug-addr and %q", tt.args, tt.env, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(%v, env %v): %v", tt.args, tt.env, err)
			}
			if c.DebugAddr != tt.want {
				t.Errorf("Load(%v, env %v).DebugAddr = %q; want %q", tt.args, tt.env, c.DebugAddr, tt.want)
			}
		})
	}
}

// TestDebugAddrReportedWithOtherProblems: a bad debug address is one more
// problem in the list, not the only one reported.
func TestDebugAddrReportedWithOtherProblems(t *testing.T) {
	_, err := config.Load("serve", []string{"--debug-addr", "0.0.0.0:6060", "--log-format", "xml"}, env(nil), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "debug-addr") || !strings.Contains(err.Error(), "log-format") {
		t.Fatalf("Load with two bad settings: %v; want both reported", err)
	}
}
