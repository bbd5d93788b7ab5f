package app

import (
	"net"
	"testing"
)

func TestDashboardURL(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080/ui/"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://localhost:8080/ui/"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9090}, "http://localhost:9090/ui/"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "http://[::1]:8080/ui/"},
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 80}, "http://192.0.2.7:80/ui/"},
	}
	for _, tt := range tests {
		if got := DashboardURL(tt.addr); got != tt.want {
			t.Errorf("DashboardURL(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
