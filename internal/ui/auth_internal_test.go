package ui

import (
	"strings"
	"testing"
	"time"
)

func TestSessionCookieValue(t *testing.T) {
	now := time.Now()
	s := newSessions("token-0123456789")
	sess := s.start(true, now)
	value := s.encode(sess)
	if strings.Contains(value, "token-0123456789") {
		t.Fatalf("cookie %q holds the token", value)
	}
	if got, ok := s.decode(value, now); !ok || got.id != sess.id || !got.signedIn {
		t.Fatalf("decode = %+v, %v", got, ok)
	}
	if _, ok := s.decode(value, now.Add(sessionTTL+time.Second)); ok {
		t.Error("an expired session was accepted")
	}
	if _, ok := newSessions("another-token-0123").decode(value, now); ok {
		t.Error("a session signed under another token was accepted")
	}
	for _, bad := range []string{"", ".", "a.b.c.d", value + "x", strings.Replace(value, ".1.", ".0.", 1), "x" + value} {
		if _, ok := s.decode(bad, now); ok {
			t.Errorf("decode(%q) accepted", bad)
		}
	}
	if s.csrfToken(sess) == s.csrfToken(s.start(true, now)) {
		t.Error("two sessions share a CSRF token")
	}
}

func TestOpenSessionsAreSignedIn(t *testing.T) {
	s := newSessions("")
	if !s.open() || !s.start(false, time.Now()).signedIn {
		t.Fatal("an open dashboard's session is not signed in")
	}
}

func TestEndedSessionsStayEnded(t *testing.T) {
	now := time.Now()
	s := newSessions("token-0123456789")
	sess := s.start(true, now)
	value := s.encode(sess)
	s.end(sess.id)
	if _, ok := s.decode(value, now); ok {
		t.Fatal("an ended session was accepted")
	}
	// A signed-in cookie the register never saw (forged with the key, or
	// from before a restart) signs no one in.
	if _, ok := s.decode(s.encode(session{id: "unknown", expires: now.Add(time.Hour), signedIn: true}), now); ok {
		t.Error("a session the server did not start was accepted")
	}
}

func TestLiveSessionsAreBounded(t *testing.T) {
	now := time.Now()
	s := newSessions("token-0123456789")
	first := s.start(true, now)
	for i := range maxLiveSessions + 10 {
		s.start(true, now.Add(time.Duration(i+1)*time.Millisecond))
	}
	if len(s.live) > maxLiveSessions {
		t.Fatalf("%d live sessions, want at most %d", len(s.live), maxLiveSessions)
	}
	if s.isLive(first.id, now) {
		t.Error("the session that expires first was kept past the bound")
	}
}
