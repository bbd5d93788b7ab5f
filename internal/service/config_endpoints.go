package service

import (
	"context"
	"fmt"
	"strings"
)

// SyncConfigEndpoints makes the endpoints that WEBHOOK_URLS defines match
// urls, each trimmed, blank ones dropped (store.Store.SyncConfigEndpoints:
// missing ones added with secret, existing ones given secret and
// re-activated, the others disabled), and returns how many URLs it synced.
//
// When no URL is left (WEBHOOK_URLS unset or empty) it touches nothing and
// returns 0: a process that configures no endpoints (a worker-only serve, a
// library client) shares the database with the process that does, and must
// not disable its endpoints. Only a non-empty list that leaves a URL out
// disables that URL's endpoint.
//
// The URLs are the operator's and are not checked here (internal/config
// checks them with ValidateTargetURL); no SSRF guard applies to them.
func (s *Service) SyncConfigEndpoints(ctx context.Context, urls []string, secret string) (int, error) {
	kept := make([]string, 0, len(urls))
	for _, u := range urls {
		if u = strings.TrimSpace(u); u != "" {
			kept = append(kept, u)
		}
	}
	if len(kept) == 0 {
		return 0, nil
	}
	if err := s.store.SyncConfigEndpoints(ctx, kept, secret); err != nil {
		return 0, fmt.Errorf("WEBHOOK_URLS: sync endpoints: %w", err)
	}
	return len(kept), nil
}
