// Package netguard keeps hookrelay from being turned against the network it
// runs in (server-side request forgery): it refuses loopback, private,
// link-local, multicast and unspecified addresses, checked on the address
// actually dialled, after DNS resolution, so that DNS rebinding cannot get
// round it.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ErrForbiddenAddress reports a target address that the guard refuses.
var ErrForbiddenAddress = errors.New("forbidden target address")

// CheckAddr returns an error wrapping ErrForbiddenAddress when addr is not a
// public unicast address. IPv4-mapped IPv6 addresses are judged as IPv4.
func CheckAddr(addr netip.Addr) error {
	addr = addr.Unmap()
	var kind string
	switch {
	case !addr.IsValid():
		kind = "invalid"
	case addr.IsUnspecified():
		kind = "unspecified"
	case addr.IsLoopback():
		kind = "loopback"
	case addr.IsPrivate():
		kind = "private"
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast():
		kind = "link-local"
	case addr.IsMulticast(), addr.IsInterfaceLocalMulticast():
		kind = "multicast"
	case isSharedOrReserved(addr):
		kind = "reserved"
	default:
		return nil
	}
	return fmt.Errorf("%w: %s is a %s address", ErrForbiddenAddress, addr, kind)
}

var reservedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),  // NAT64, which can reach private IPv4
	netip.MustParsePrefix("2002::/16"),     // 6to4, which embeds IPv4
}

func isSharedOrReserved(addr netip.Addr) bool {
	for _, p := range reservedPrefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Control is a net.Dialer Control function that refuses forbidden addresses at
// connect time.
func Control(_, address string, _ syscall.RawConn) error {
	addrPort, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse dialled address %q", ErrForbiddenAddress, address)
	}
	return CheckAddr(addrPort.Addr())
}

// CheckHost resolves host (a name or a literal address) and returns an error
// when any of its addresses is forbidden, so that a bad endpoint URL is refused
// when it is created and not only when it is called.
func CheckHost(ctx context.Context, resolver *net.Resolver, host string) error {
	if addr, err := netip.ParseAddr(host); err == nil {
		return CheckAddr(addr)
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", host, err)
	}
	for _, addr := range addrs {
		if err := CheckAddr(addr); err != nil {
			return fmt.Errorf("%s resolves to a forbidden address: %w", host, err)
		}
	}
	return nil
}
