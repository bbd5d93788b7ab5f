// Package authlimit throttles credential guessing: every check of a
// credential (the API's bearer token, the dashboard's sign-in, and any added
// later) shares one Limiter, which counts failures per client (an IPv4
// address, or an IPv6 /64, the block one subscriber usually holds) and
// refuses a client that failed MaxFailures times within Window of its first
// failure until that window ends. Refused requests answer 429 with
// Retry-After; requests with the right credential are never delayed or
// counted, but are refused too while their client is shut out, so that a
// guesser cannot tell the right credential from the refusal.
package authlimit

import (
	"container/list"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Throttling: a client that fails MaxFailures times within Window of its
// first failure is refused until that window ends.
const (
	MaxFailures = 5
	Window      = 5 * time.Minute
	// maxClients bounds the clients remembered; past it, the one whose
	// window began first is forgotten.
	maxClients = 10_000
)

// Limiter counts failed credential checks per client key (ClientKey), in a
// window that starts at the client's first failure. It lives in memory:
// entries leave when their window ends, when the client signs in, or when the
// limiter is full and theirs is the oldest. It is safe for concurrent use.
type Limiter struct {
	now func() time.Time

	mu       sync.Mutex
	byClient map[string]*list.Element
	// windows holds *failures, oldest window first: a window only starts
	// now, so pushing to the back keeps the order.
	windows *list.List
}

// failures is one client's count of failed checks in its current window.
type failures struct {
	client string
	start  time.Time
	count  int
}

// New returns an empty limiter that reads the time from now (time.Now when
// nil).
func New(now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{now: now, byClient: map[string]*list.Element{}, windows: list.New()}
}

// Attempt admits a check from client, or refuses it and returns how long
// client must wait. An admitted attempt counts as failed until Succeed says
// otherwise: checking and counting in one step keeps concurrent attempts from
// slipping past the limit. last reports that the attempt is the last one the
// window admits. It suits a check whose success is rare (a sign-in).
func (l *Limiter) Attempt(client string) (wait time.Duration, last bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.entry(client)
	if f.count >= MaxFailures {
		return f.start.Add(Window).Sub(l.now()), false
	}
	f.count++
	return 0, f.count == MaxFailures
}

// Fail counts one failed check from client and returns how long it must
// wait when it has now failed more than MaxFailures times in its window (the
// check is then answered 429 rather than 401). last reports that this failure
// is the last one the window admits.
func (l *Limiter) Fail(client string) (wait time.Duration, last bool) {
	return l.Attempt(client)
}

// Wait returns how long client must wait before a check is admitted, 0 when
// it may go on. It counts nothing: a check whose credential is right asks it,
// so that successful requests are never counted, however many run at once.
func (l *Limiter) Wait(client string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.prune(now)
	e, ok := l.byClient[client]
	if !ok {
		return 0
	}
	f := e.Value.(*failures)
	if f.count < MaxFailures {
		return 0
	}
	return f.start.Add(Window).Sub(now)
}

// Succeed forgets client's failures.
func (l *Limiter) Succeed(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.byClient[client]; ok {
		l.remove(e)
	}
}

// entry returns client's window, starting one when it has none. l.mu is held.
func (l *Limiter) entry(client string) *failures {
	now := l.now()
	l.prune(now)
	e, ok := l.byClient[client]
	if !ok {
		if l.windows.Len() >= maxClients {
			l.remove(l.windows.Front())
		}
		e = l.windows.PushBack(&failures{client: client, start: now})
		l.byClient[client] = e
	}
	return e.Value.(*failures)
}

// prune forgets the clients whose window has ended.
func (l *Limiter) prune(now time.Time) {
	for e := l.windows.Front(); e != nil; e = l.windows.Front() {
		if now.Before(e.Value.(*failures).start.Add(Window)) {
			return
		}
		l.remove(e)
	}
}

// remove forgets one client.
func (l *Limiter) remove(e *list.Element) {
	delete(l.byClient, l.windows.Remove(e).(*failures).client)
}

// ClientKey is the client a request is counted against: the IP address of
// the connection's remote end, or its /64 for IPv6 (an IPv4-mapped address
// counts as IPv4). Headers such as X-Forwarded-For are not trusted; anyone
// can send them.
func ClientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.WithZone("").Unmap()
	if addr.Is6() {
		return netip.PrefixFrom(addr, 64).Masked().String()
	}
	return addr.String()
}
