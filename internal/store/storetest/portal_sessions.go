package storetest

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// hashOf is the SHA-256 of a token, as the service stores it.
func hashOf(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// portalSession stores a link of tenant for token, expiring at expires.
func (f *fixture) portalSession(token, tenant string, expires time.Time) store.PortalSession {
	f.t.Helper()
	p, err := f.s.CreatePortalSession(f.ctx, store.PortalSession{
		TenantID: tenant, ExpiresAt: expires, Branding: store.PortalBranding{Title: "Acme « hooks »", Color: "#0a7cff"},
	}, hashOf(token))
	if err != nil {
		f.t.Fatalf("create portal session: %v", err)
	}
	return p
}

var portalSessionTests = []test{
	{"PortalSessionEnteredOnceThenFoundBySession", func(t *testing.T, f *fixture) {
		expires := time.Now().Add(time.Hour).Truncate(time.Second)
		created := f.portalSession("link-a", "acme", expires)
		if created.ID == 0 || created.TenantID != "acme" || created.UsedAt != nil {
			t.Fatalf("created %+v, want an ID, tenant acme, unused", created)
		}
		f.recent("created_at", created.CreatedAt)
		sameInstant(t, "expires_at", created.ExpiresAt, expires)
		if _, err := f.s.GetPortalSession(f.ctx, hashOf("cookie-a")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session before the link is entered: %v, want ErrNotFound", err)
		}
		entered, err := f.s.EnterPortalSession(f.ctx, hashOf("link-a"), hashOf("cookie-a"))
		if err != nil {
			t.Fatalf("enter: %v", err)
		}
		f.recentPtr("used_at", entered.UsedAt)
		if entered.ID != created.ID || entered.Branding != created.Branding || entered.Branding.Title != "Acme « hooks »" {
			t.Errorf("entered %+v, want the created row %+v", entered, created)
		}
		_, err = f.s.EnterPortalSession(f.ctx, hashOf("link-a"), hashOf("cookie-b"))
		wantErr(t, "enter twice", err, store.ErrPortalLinkUsed)
		got, err := f.s.GetPortalSession(f.ctx, hashOf("cookie-a"))
		if err != nil || got.ID != created.ID || got.TenantID != "acme" {
			t.Errorf("session of cookie-a = %+v (%v), want the entered row", got, err)
		}
		if _, err := f.s.GetPortalSession(f.ctx, hashOf("cookie-b")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session of the second enter: %v, want ErrNotFound (nothing written)", err)
		}
	}},
	{"PortalSessionUnknownExpiredAndEnded", func(t *testing.T, f *fixture) {
		_, err := f.s.EnterPortalSession(f.ctx, hashOf("nope"), hashOf("cookie"))
		wantErr(t, "enter an unknown link", err, store.ErrNotFound)
		if errors.Is(err, store.ErrPortalLinkUsed) {
			t.Errorf("unknown link: %v, want ErrNotFound only", err)
		}
		f.portalSession("old", "acme", time.Now().Add(-time.Minute))
		_, err = f.s.EnterPortalSession(f.ctx, hashOf("old"), hashOf("cookie-old"))
		wantErr(t, "enter an expired link", err, store.ErrPortalLinkUsed)

		f.portalSession("live", "acme", time.Now().Add(time.Hour))
		if _, err := f.s.EnterPortalSession(f.ctx, hashOf("live"), hashOf("cookie-live")); err != nil {
			t.Fatalf("enter: %v", err)
		}
		if err := f.s.EndPortalSession(f.ctx, hashOf("cookie-live")); err != nil {
			t.Fatalf("end: %v", err)
		}
		_, err = f.s.GetPortalSession(f.ctx, hashOf("cookie-live"))
		wantErr(t, "session after its end", err, store.ErrNotFound)
		if err := f.s.EndPortalSession(f.ctx, hashOf("cookie-none")); err != nil {
			t.Errorf("end an unknown session: %v, want none", err)
		}
	}},
	{"PortalSessionExpiredRowsDeleted", func(t *testing.T, f *fixture) {
		f.portalSession("old", "acme", time.Now().Add(-time.Hour))
		f.portalSession("live", "acme", time.Now().Add(time.Hour))
		n, err := f.s.DeleteExpiredPortalSessions(f.ctx, time.Now())
		if err != nil || n != 1 {
			t.Fatalf("delete expired = %d (%v), want 1", n, err)
		}
		_, err = f.s.EnterPortalSession(f.ctx, hashOf("old"), hashOf("c1"))
		wantErr(t, "enter a deleted link", err, store.ErrNotFound)
		if _, err := f.s.EnterPortalSession(f.ctx, hashOf("live"), hashOf("c2")); err != nil {
			t.Errorf("enter the live link after the cleanup: %v", err)
		}
	}},
}

// PortalSessionsAfterMigration checks a store migrated from a schema before
// portal sessions (PostgreSQL 016, SQLite 011) that held endpoint 1 of
// tenant acme: the endpoint is kept with its tenant, and a portal link of
// that tenant can be created and entered.
func PortalSessionsAfterMigration(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	if e := f.getEndpoint(1); e.TenantID != "acme" || e.URL == "" {
		t.Errorf("migrated endpoint %+v, want it kept in tenant acme", e)
	}
	f.portalSession("link", "acme", time.Now().Add(time.Hour))
	if p, err := s.EnterPortalSession(f.ctx, hashOf("link"), hashOf("cookie")); err != nil || p.TenantID != "acme" {
		t.Errorf("enter a link on the migrated store = %+v (%v), want tenant acme", p, err)
	}
}
