// Package netguard keeps hookrelay from being turned against the network it
// runs in (server-side request forgery). It is an allowlist: a target address
// is accepted only when it is globally routable unicast, per the IANA IPv4 and
// IPv6 special-purpose address registries (see specialBlocks), and is not an
// address of this host. IPv6 forms that embed an IPv4 address (IPv4-mapped,
// IPv4-compatible, NAT64, 6to4, Teredo) are decoded and judged by the
// addresses they carry. The check runs on every address a host resolves to
// when an endpoint is created, and again on the address actually dialled, so
// that DNS rebinding cannot get round it.
//
// Refusals name the rule only: they never say which address a name resolved
// to, nor which resolver answered, so that the API cannot be used to map
// internal names.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// AllowPrivateHint tells an operator how to deliver to private targets.
const AllowPrivateHint = "to allow private targets in development, run hookrelay serve --dev or set HOOKRELAY_ALLOW_PRIVATE_TARGETS=true (WithAllowPrivateTargets in the Go library)"

// ErrForbiddenAddress reports a target that the guard refuses. Its text is the
// rule that was broken, never the address.
var ErrForbiddenAddress = errors.New("resolves to a non-public address")

// errUnresolvable reports a host name that does not resolve; it hides the
// resolver's own message, which names the resolver.
var errUnresolvable = errors.New("does not resolve to any address")

// forbidden is the error of a refused address: ErrForbiddenAddress with the
// hint to allow private targets.
func forbidden() error {
	return fmt.Errorf("%w; %s", ErrForbiddenAddress, AllowPrivateHint)
}

// CheckAddr returns an error wrapping ErrForbiddenAddress unless addr is a
// global unicast address (IsGlobal) that is not one of this host's addresses.
func CheckAddr(addr netip.Addr) error {
	if !IsGlobal(addr) || isLocalAddr(addr) {
		return forbidden()
	}
	return nil
}

// IsGlobal reports whether addr is globally routable unicast: not one of the
// blocks the IANA special-purpose registries list as not globally reachable,
// not multicast or broadcast, and for IPv6 inside 2000::/3, the only block
// IANA allocates for global unicast. Embedded IPv4 addresses are judged in
// place of the IPv6 address that carries them (IPv4-mapped, NAT64
// 64:ff9b::/96, 6to4 2002::/16, and Teredo 2001::/32, whose server and client
// must both be global); IPv4-compatible (::/96) and local-use NAT64
// (64:ff9b:1::/48) addresses are never global.
func IsGlobal(addr netip.Addr) bool {
	if !addr.IsValid() {
		return false
	}
	addr = addr.WithZone("")
	if addr.Is4() {
		return isGlobal4(addr)
	}
	if embedded := embeddedIPv4(addr); embedded != nil {
		for _, v4 := range embedded {
			if !isGlobal4(v4) {
				return false
			}
		}
		return true
	}
	if !globalUnicast6.Contains(addr) {
		return false // ::/8 (loopback, unspecified, IPv4-compatible), fc00::/7, fe80::/10, fec0::/10, ff00::/8, …
	}
	return globallyReachable(addr)
}

// isGlobal4 judges an IPv4 address.
func isGlobal4(addr netip.Addr) bool {
	if addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	return globallyReachable(addr)
}

// globallyReachable looks addr up in specialBlocks: the most specific block
// that holds it decides; an address in none of them is global.
func globallyReachable(addr netip.Addr) bool {
	best, global := -1, true
	for _, b := range specialBlocks {
		if b.prefix.Contains(addr) && b.prefix.Bits() > best {
			best, global = b.prefix.Bits(), b.global
		}
	}
	return global
}

var (
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
	nat64          = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	teredo         = netip.MustParsePrefix("2001::/32")
)

// specialBlock is one entry of an IANA special-purpose address registry.
type specialBlock struct {
	prefix netip.Prefix
	// global is the registry's "Globally Reachable" column; a block marked
	// N/A (6to4, Teredo, the deprecated 6to4 relay anycast) counts as not
	// global here, except where IsGlobal decodes the IPv4 it embeds.
	global bool
}

// specialBlocks is the IANA IPv4 Special-Purpose Address Registry
// (https://www.iana.org/assignments/iana-ipv4-special-registry) and the IANA
// IPv6 Special-Purpose Address Registry
// (https://www.iana.org/assignments/iana-ipv6-special-registry), as updated
// in 2025, plus the IPv4 multicast and site-local IPv6 blocks that the
// registries leave to other documents. Blocks marked globally reachable are
// listed too, because several sit inside a larger block that is not.
var specialBlocks = []specialBlock{
	// IPv4.
	{netip.MustParsePrefix("0.0.0.0/8"), false},          // "this network", RFC 791
	{netip.MustParsePrefix("10.0.0.0/8"), false},         // private-use, RFC 1918
	{netip.MustParsePrefix("100.64.0.0/10"), false},      // shared address space, RFC 6598
	{netip.MustParsePrefix("127.0.0.0/8"), false},        // loopback, RFC 1122
	{netip.MustParsePrefix("169.254.0.0/16"), false},     // link local, RFC 3927
	{netip.MustParsePrefix("172.16.0.0/12"), false},      // private-use, RFC 1918
	{netip.MustParsePrefix("192.0.0.0/24"), false},       // IETF protocol assignments, RFC 6890
	{netip.MustParsePrefix("192.0.0.0/29"), false},       // IPv4 service continuity prefix, RFC 7335
	{netip.MustParsePrefix("192.0.0.8/32"), false},       // IPv4 dummy address, RFC 7600
	{netip.MustParsePrefix("192.0.0.9/32"), true},        // port control protocol anycast, RFC 7723
	{netip.MustParsePrefix("192.0.0.10/32"), true},       // TURN anycast, RFC 8155
	{netip.MustParsePrefix("192.0.0.170/32"), false},     // NAT64/DNS64 discovery, RFC 8880
	{netip.MustParsePrefix("192.0.0.171/32"), false},     // NAT64/DNS64 discovery, RFC 8880
	{netip.MustParsePrefix("192.0.2.0/24"), false},       // documentation (TEST-NET-1), RFC 5737
	{netip.MustParsePrefix("192.31.196.0/24"), true},     // AS112-v4, RFC 7535
	{netip.MustParsePrefix("192.52.193.0/24"), true},     // AMT, RFC 7450
	{netip.MustParsePrefix("192.88.99.0/24"), false},     // deprecated 6to4 relay anycast, RFC 7526
	{netip.MustParsePrefix("192.168.0.0/16"), false},     // private-use, RFC 1918
	{netip.MustParsePrefix("192.175.48.0/24"), true},     // direct delegation AS112 service, RFC 7534
	{netip.MustParsePrefix("198.18.0.0/15"), false},      // benchmarking, RFC 2544
	{netip.MustParsePrefix("198.51.100.0/24"), false},    // documentation (TEST-NET-2), RFC 5737
	{netip.MustParsePrefix("203.0.113.0/24"), false},     // documentation (TEST-NET-3), RFC 5737
	{netip.MustParsePrefix("224.0.0.0/4"), false},        // multicast, RFC 5771
	{netip.MustParsePrefix("240.0.0.0/4"), false},        // reserved, RFC 1112
	{netip.MustParsePrefix("255.255.255.255/32"), false}, // limited broadcast, RFC 919

	// IPv6.
	{netip.MustParsePrefix("::1/128"), false},          // loopback, RFC 4291
	{netip.MustParsePrefix("::/128"), false},           // unspecified, RFC 4291
	{netip.MustParsePrefix("::ffff:0:0/96"), false},    // IPv4-mapped, RFC 4291 (judged by its IPv4)
	{netip.MustParsePrefix("64:ff9b::/96"), true},      // IPv4-IPv6 translation, RFC 6052 (judged by its IPv4)
	{netip.MustParsePrefix("64:ff9b:1::/48"), false},   // local-use IPv4/IPv6 translation, RFC 8215
	{netip.MustParsePrefix("100::/64"), false},         // discard-only, RFC 6666
	{netip.MustParsePrefix("100:0:0:1::/64"), false},   // dummy IPv6 prefix, RFC 9780
	{netip.MustParsePrefix("2001::/23"), false},        // IETF protocol assignments, RFC 2928
	{netip.MustParsePrefix("2001::/32"), false},        // Teredo, RFC 4380 (judged by its IPv4s)
	{netip.MustParsePrefix("2001:1::1/128"), true},     // port control protocol anycast, RFC 7723
	{netip.MustParsePrefix("2001:1::2/128"), true},     // TURN anycast, RFC 8155
	{netip.MustParsePrefix("2001:1::3/128"), true},     // DNS-SD service registration protocol anycast, RFC 9665
	{netip.MustParsePrefix("2001:2::/48"), false},      // benchmarking, RFC 5180
	{netip.MustParsePrefix("2001:3::/32"), true},       // AMT, RFC 7450
	{netip.MustParsePrefix("2001:4:112::/48"), true},   // AS112-v6, RFC 7535
	{netip.MustParsePrefix("2001:10::/28"), false},     // deprecated ORCHID, RFC 4843
	{netip.MustParsePrefix("2001:20::/28"), true},      // ORCHIDv2, RFC 7343
	{netip.MustParsePrefix("2001:30::/28"), true},      // drone remote ID protocol entity tags, RFC 9374
	{netip.MustParsePrefix("2001:db8::/32"), false},    // documentation, RFC 3849
	{netip.MustParsePrefix("2002::/16"), false},        // 6to4, RFC 3056 (judged by its IPv4)
	{netip.MustParsePrefix("2620:4f:8000::/48"), true}, // direct delegation AS112 service, RFC 7534
	{netip.MustParsePrefix("3fff::/20"), false},        // documentation, RFC 9637
	{netip.MustParsePrefix("5f00::/16"), false},        // segment routing (SRv6) SIDs, RFC 9602
	{netip.MustParsePrefix("fc00::/7"), false},         // unique-local, RFC 4193
	{netip.MustParsePrefix("fe80::/10"), false},        // link-local unicast, RFC 4291
	{netip.MustParsePrefix("fec0::/10"), false},        // deprecated site-local, RFC 3879
	{netip.MustParsePrefix("ff00::/8"), false},         // multicast, RFC 4291
}

// embeddedIPv4 returns the IPv4 addresses that the IPv6 address addr
// carries and stands for: the one of an IPv4-mapped address, of NAT64
// 64:ff9b::/96 or of 6to4 2002::/16, or a Teredo (2001::/32) server and
// client; nil for any other address.
func embeddedIPv4(addr netip.Addr) []netip.Addr {
	b := addr.As16()
	switch {
	case addr.Is4In6():
		return []netip.Addr{addr.Unmap()}
	case nat64.Contains(addr):
		return []netip.Addr{netip.AddrFrom4([4]byte(b[12:16]))}
	case sixToFour.Contains(addr):
		return []netip.Addr{netip.AddrFrom4([4]byte(b[2:6]))}
	case teredo.Contains(addr):
		server := netip.AddrFrom4([4]byte(b[4:8]))
		client := netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
		return []netip.Addr{server, client}
	}
	return nil
}

// isLocalAddr reports whether addr is one of this host's interface
// addresses, or embeds one (embeddedIPv4).
func isLocalAddr(addr netip.Addr) bool {
	local, err := hostAddrs.get(time.Now())
	if err != nil {
		return true // when in doubt, refuse
	}
	addr = addr.WithZone("")
	if _, ok := local[addr]; ok {
		return true
	}
	if addr.Is4() {
		return false
	}
	for _, v4 := range embeddedIPv4(addr) {
		if _, ok := local[v4]; ok {
			return true
		}
	}
	return false
}

// hostAddrs caches this host's interface addresses for a second, so that a
// burst of new connections does not list the interfaces for each one.
var hostAddrs = &addrCache{ttl: time.Second}

// addrCache holds the host's addresses, read again once ttl has passed.
type addrCache struct {
	ttl time.Duration

	mu    sync.Mutex
	read  time.Time
	addrs map[netip.Addr]struct{}
}

// get returns the host's addresses, listing them again when the copy is
// older than ttl.
func (c *addrCache) get(now time.Time) (map[netip.Addr]struct{}, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.addrs != nil && now.Sub(c.read) < c.ttl {
		return c.addrs, nil
	}
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("list interface addresses: %w", err)
	}
	addrs := make(map[netip.Addr]struct{}, len(ifaddrs))
	for _, a := range ifaddrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok {
				addrs[ip.Unmap()] = struct{}{}
			}
		}
	}
	c.addrs, c.read = addrs, now
	return addrs, nil
}

// Control is a net.Dialer Control function that refuses forbidden addresses at
// connect time, before the connection is opened.
func Control(_, address string, _ syscall.RawConn) error {
	addrPort, err := netip.ParseAddrPort(address)
	if err != nil {
		return forbidden()
	}
	return CheckAddr(addrPort.Addr())
}

// Dialer returns a DialContext function for http.Transport that dials through
// d with Control set, and whose refusals carry the rule only: the net.OpError
// that would name the address dialled is dropped, so that a delivery attempt
// records "resolves to a non-public address" and never the address. A name
// that does not resolve is reported without the resolver that said so.
func Dialer(d *net.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	guarded := *d
	guarded.Control = Control
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		conn, err := guarded.DialContext(ctx, network, address)
		var dnsErr *net.DNSError
		switch {
		case errors.Is(err, ErrForbiddenAddress):
			return nil, forbidden()
		case errors.As(err, &dnsErr):
			return nil, fmt.Errorf("host %s %w", dnsErr.Name, errUnresolvable)
		}
		return conn, err
	}
}

// CheckHost resolves host (a name or a literal address) and returns an error
// wrapping ErrForbiddenAddress when any of its addresses is forbidden, so
// that a bad endpoint URL is refused when it is created and not only when it
// is called. Neither error names an address or the resolver.
func CheckHost(ctx context.Context, resolver *net.Resolver, host string) error {
	if addr, err := netip.ParseAddr(host); err == nil {
		return CheckAddr(addr)
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return errUnresolvable
	}
	for _, addr := range addrs {
		if err := CheckAddr(addr); err != nil {
			return err
		}
	}
	return nil
}
