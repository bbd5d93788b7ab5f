package ui

import (
	"container/list"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Sign-in throttling: an address that fails signInMaxFailures times within
// signInWindow of its first failure is refused until that window ends.
const (
	signInMaxFailures = 5
	signInWindow      = 5 * time.Minute
	// signInMaxAddrs bounds the addresses remembered; past it, the one
	// whose window began first is forgotten.
	signInMaxAddrs = 10_000
)

// signInLimiter counts failed sign-ins per client address, in a window that
// starts at the address's first failure. It lives in memory: entries leave
// when their window ends, when the address signs in, or when the limiter is
// full and theirs is the oldest.
type signInLimiter struct {
	now func() time.Time

	mu     sync.Mutex
	byAddr map[string]*list.Element
	// windows holds *failedSignIns, oldest window first: a window only
	// starts now, so pushing to the back keeps the order.
	windows *list.List
}

// failedSignIns is one address's count of attempts in its current window.
type failedSignIns struct {
	addr  string
	start time.Time
	count int
}

// newSignInLimiter returns an empty limiter that reads the time from now.
func newSignInLimiter(now func() time.Time) *signInLimiter {
	return &signInLimiter{now: now, byAddr: map[string]*list.Element{}, windows: list.New()}
}

// attempt admits a sign-in attempt from addr, or refuses it and returns
// how long addr must wait. An admitted attempt counts as failed until
// succeed says otherwise: checking and counting in one step keeps concurrent
// attempts from slipping past the limit. last reports that the attempt is
// the last one the window admits.
func (l *signInLimiter) attempt(addr string) (wait time.Duration, last bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.prune(now)
	e, ok := l.byAddr[addr]
	if !ok {
		if l.windows.Len() >= signInMaxAddrs {
			l.remove(l.windows.Front())
		}
		e = l.windows.PushBack(&failedSignIns{addr: addr, start: now})
		l.byAddr[addr] = e
	}
	f := e.Value.(*failedSignIns)
	if f.count >= signInMaxFailures {
		return f.start.Add(signInWindow).Sub(now), false
	}
	f.count++
	return 0, f.count == signInMaxFailures
}

// succeed forgets addr's failures.
func (l *signInLimiter) succeed(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.byAddr[addr]; ok {
		l.remove(e)
	}
}

// prune forgets the addresses whose window has ended.
func (l *signInLimiter) prune(now time.Time) {
	for e := l.windows.Front(); e != nil; e = l.windows.Front() {
		if now.Before(e.Value.(*failedSignIns).start.Add(signInWindow)) {
			return
		}
		l.remove(e)
	}
}

// remove forgets one address.
func (l *signInLimiter) remove(e *list.Element) {
	delete(l.byAddr, l.windows.Remove(e).(*failedSignIns).addr)
}

// clientAddr is the IP address the request came from: the host of the
// connection's remote address. Headers such as X-Forwarded-For are not
// trusted; anyone can send them.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ceilDiv is d in whole units, rounded up.
func ceilDiv(d, unit time.Duration) int64 {
	return int64((d + unit - 1) / unit)
}

// minutes writes a wait in whole minutes, rounded up: "1 minute", "5 minutes".
func minutes(d time.Duration) string {
	n := ceilDiv(d, time.Minute)
	if n == 1 {
		return "1 minute"
	}
	return strconv.FormatInt(n, 10) + " minutes"
}
