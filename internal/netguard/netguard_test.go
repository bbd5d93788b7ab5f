package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// embeddedForms returns the IPv6 forms that carry v4: IPv4-mapped,
// IPv4-compatible, NAT64 (well-known and local-use prefixes), 6to4, and
// Teredo with v4 as the server and as the (obfuscated) client.
func embeddedForms(v4 netip.Addr) map[string]netip.Addr {
	b := v4.As4()
	with := func(prefix string, at int, bytes [4]byte) netip.Addr {
		a := netip.MustParseAddr(prefix).As16()
		copy(a[at:], bytes[:])
		return netip.AddrFrom16(a)
	}
	public := [4]byte{8, 8, 8, 8}
	teredoClient := [4]byte{^b[0], ^b[1], ^b[2], ^b[3]}
	teredoPublicClient := [4]byte{^public[0], ^public[1], ^public[2], ^public[3]}
	serverForm := with("2001::", 4, b)
	serverForm = with(serverForm.String(), 12, teredoPublicClient)
	return map[string]netip.Addr{
		"mapped":        netip.AddrFrom16(v4.As16()),
		"compatible":    with("::", 12, b),
		"nat64":         with("64:ff9b::", 12, b),
		"nat64-local":   with("64:ff9b:1::", 9, b),
		"6to4":          with("2002::1", 2, b),
		"teredo-server": serverForm,
		"teredo-client": with(with("2001::", 4, public).String(), 12, teredoClient),
	}
}

// nonGlobal holds one address of every block the IANA registries mark not
// globally reachable, and of the other non-unicast blocks the guard refuses.
var nonGlobal4 = []string{
	"0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.8.9.10",
	"169.254.169.254", "172.16.5.4", "172.31.255.255", "192.0.0.1", "192.0.0.8", "192.0.0.170", "192.0.0.171",
	"192.0.0.255", "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.7",
	"203.0.113.10", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
}

var nonGlobal6 = []string{
	"::", "::1", "::2", "::ffff:0:0", "64:ff9b:1::1", "100::1", "100:0:0:1::1", "2001:2::1", "2001:10::1",
	"2001:db8::1", "2001:100::1", "2001:1::4", "3fff::1", "3fff:fff::1", "5f00::1", "fc00::1", "fd12:3456::1",
	"fe80::1", "fe80::1%lo", "febf::1", "fec0::1", "feff::1", "ff02::1", "ff0e::1", "4000::1", "8000::1", "1000::1",
	"::7f00:1", // the issue's http://[::127.0.0.1]/
}

var global = []string{
	"8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "192.0.0.9", "192.0.0.10", "192.31.196.1",
	"192.52.193.1", "192.175.48.1", "198.20.0.1", "223.255.255.254",
	"2606:4700::1111", "2001:1::1", "2001:1::2", "2001:1::3", "2001:3::1", "2001:4:112::1", "2001:20::1",
	"2001:30::1", "2620:4f:8000::1", "2a00:1450::1", "::ffff:8.8.4.4", "64:ff9b::808:808", "2002:808:808::1",
}

// table is every address form the guard judges, with its verdict.
func table(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, s := range global {
		out[s] = true
	}
	for _, s := range nonGlobal6 {
		out[s] = false
	}
	for _, s := range nonGlobal4 {
		out[s] = false
		for form, a := range embeddedForms(netip.MustParseAddr(s)) {
			if _, dup := out[a.String()]; dup && form != "mapped" {
				continue
			}
			out[a.String()] = false
		}
	}
	// A public IPv4 address is public in the forms that route to it, and
	// not in the ones that never leave the site.
	for form, a := range embeddedForms(netip.MustParseAddr("8.8.4.4")) {
		out[a.String()] = form != "compatible" && form != "nat64-local"
	}
	if len(out) < 200 {
		t.Fatalf("table has %d addresses, want every form of every block", len(out))
	}
	return out
}

func TestCheckAddrTable(t *testing.T) {
	for s, ok := range table(t) {
		err := CheckAddr(netip.MustParseAddr(s))
		if ok && err != nil {
			t.Errorf("CheckAddr(%s) = %v, want nil", s, err)
		}
		if !ok && !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("CheckAddr(%s) = %v, want ErrForbiddenAddress", s, err)
		}
	}
}

// TestCheckHostTable checks every form as a URL host at creation: refused
// ones name the rule and the way to allow private targets, never the address.
func TestCheckHostTable(t *testing.T) {
	for s, ok := range table(t) {
		err := CheckHost(t.Context(), net.DefaultResolver, s)
		if ok {
			if err != nil {
				t.Errorf("CheckHost(%s) = %v, want nil", s, err)
			}
			continue
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("CheckHost(%s) = %v, want ErrForbiddenAddress", s, err)
			continue
		}
		if strings.Contains(err.Error(), s) || !strings.Contains(err.Error(), "HOOKRELAY_ALLOW_PRIVATE_TARGETS") {
			t.Errorf("CheckHost(%s) = %q: must name the rule and the setting, not the address", s, err)
		}
	}
}

// TestDialerTable dials every refused form through the guard: the dial is
// refused before any packet leaves, with an error that does not name the
// address. Allowed forms pass the dial-time check (Control).
func TestDialerTable(t *testing.T) {
	dial := Dialer(&net.Dialer{Timeout: 2 * time.Second})
	for s, ok := range table(t) {
		a := netip.MustParseAddr(s)
		address := netip.AddrPortFrom(a, 443).String()
		if ok {
			if err := Control("tcp", address, nil); err != nil {
				t.Errorf("Control(%s) = %v, want nil", address, err)
			}
			continue
		}
		conn, err := dial(t.Context(), "tcp", address)
		if err == nil {
			conn.Close()
			t.Errorf("dial %s through the guard succeeded", address)
			continue
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("dial %s = %v, want ErrForbiddenAddress", address, err)
			continue
		}
		if strings.Contains(err.Error(), a.WithZone("").String()) {
			t.Errorf("dial %s = %q names the address", address, err)
		}
	}
}

func TestDialerRefusesLoopbackListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	// A literal address, and a name that resolves to it when it is dialled
	// (as a rebinding name would after passing the check at creation).
	for _, address := range []string{ln.Addr().String(), net.JoinHostPort("localhost", port)} {
		_, err = Dialer(&net.Dialer{})(context.Background(), "tcp", address)
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Fatalf("dial %s through the guard: %v, want ErrForbiddenAddress", address, err)
		}
		if strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), "::1") {
			t.Errorf("dial %s: %q names the address", address, err)
		}
	}
}

// TestHostAddressesRefused checks that every address of this host is
// refused, whatever its block.
func TestHostAddressesRefused(t *testing.T) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		addr, _ := netip.AddrFromSlice(n.IP)
		if !isLocalAddr(addr) {
			t.Errorf("isLocalAddr(%s) = false for an interface address", addr)
		}
		if err := CheckAddr(addr); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("CheckAddr(%s) = %v for an interface address", addr, err)
		}
	}
	if isLocalAddr(netip.MustParseAddr("8.8.8.8")) {
		t.Error("isLocalAddr(8.8.8.8) = true")
	}
}

func TestCheckHostNames(t *testing.T) {
	ctx := context.Background()
	err := CheckHost(ctx, net.DefaultResolver, "localhost")
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("CheckHost(localhost) = %v, want ErrForbiddenAddress", err)
	}
	if err != nil && (strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), "::1")) {
		t.Errorf("CheckHost(localhost) = %q names an address", err)
	}
	err = CheckHost(ctx, net.DefaultResolver, "no-such-host.invalid")
	if err == nil || errors.Is(err, ErrForbiddenAddress) || strings.Contains(err.Error(), ":53") {
		t.Errorf("CheckHost(no-such-host.invalid) = %v, want an unresolvable error that names no resolver", err)
	}
}

func TestDialerHidesTheResolver(t *testing.T) {
	d := &net.Dialer{Timeout: 5 * time.Second, Resolver: &net.Resolver{PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			// Every query goes to 127.0.0.1:1, where nothing answers.
			var d net.Dialer
			return d.DialContext(ctx, network, "127.0.0.1:1")
		}}}
	_, err := Dialer(d)(t.Context(), "tcp", "no-such-host.invalid:443")
	if err == nil || strings.Contains(err.Error(), "127.0.0.1") || !strings.Contains(err.Error(), "does not resolve") {
		t.Errorf("dial an unresolvable name: %v, want an error without the resolver", err)
	}
}

func ExampleCheckAddr() {
	fmt.Println(CheckAddr(netip.MustParseAddr("::127.0.0.1")))
	fmt.Println(CheckAddr(netip.MustParseAddr("2001:4860:4860::8888")))
	// Output:
	// resolves to a non-public address; to allow private targets in development, run hookrelay serve --dev or set HOOKRELAY_ALLOW_PRIVATE_TARGETS=true (WithAllowPrivateTargets in the Go library)
	// <nil>
}

// An address that embeds one of this host's addresses is the host's too,
// whichever IPv6 form carries it.
func TestLocalAddressesInEveryForm(t *testing.T) {
	loopback := netip.MustParseAddr("127.0.0.1") // an address of every host
	for name, addr := range embeddedForms(loopback) {
		if name == "compatible" || name == "nat64-local" {
			continue // never global, so refused before this check
		}
		if !isLocalAddr(addr) {
			t.Errorf("%s form %s not taken for this host's address", name, addr)
		}
	}
	if isLocalAddr(netip.MustParseAddr("8.8.8.8")) {
		t.Error("a public address taken for this host's")
	}
}
