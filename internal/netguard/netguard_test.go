package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	forbidden := []string{
		"127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "fe80::1", "fc00::1", "fd12:3456::1", "0.0.0.0", "::", "224.0.0.1", "ff02::1",
		"::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "100.64.0.1", "255.255.255.255",
		"64:ff9b::a00:1", "2002:a00:1::1",
	}
	for _, s := range forbidden {
		if err := CheckAddr(netip.MustParseAddr(s)); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("CheckAddr(%s) = %v, want ErrForbiddenAddress", s, err)
		}
	}
	allowed := []string{"93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1", "::ffff:8.8.4.4"}
	for _, s := range allowed {
		if err := CheckAddr(netip.MustParseAddr(s)); err != nil {
			t.Errorf("CheckAddr(%s) = %v, want nil", s, err)
		}
	}
}

func TestControlRefusesAtConnectTime(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dialer := net.Dialer{Control: Control}
	_, err = dialer.DialContext(context.Background(), "tcp", ln.Addr().String())
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("dial loopback through the guard: %v, want ErrForbiddenAddress", err)
	}
}

func TestCheckHost(t *testing.T) {
	ctx := context.Background()
	if err := CheckHost(ctx, net.DefaultResolver, "localhost"); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("CheckHost(localhost) = %v, want ErrForbiddenAddress", err)
	}
	if err := CheckHost(ctx, net.DefaultResolver, "169.254.169.254"); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("CheckHost(metadata address) = %v, want ErrForbiddenAddress", err)
	}
	if err := CheckHost(ctx, net.DefaultResolver, "8.8.8.8"); err != nil {
		t.Errorf("CheckHost(8.8.8.8) = %v, want nil", err)
	}
}
