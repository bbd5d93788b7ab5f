package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestListEvents(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Parallel()
		s := newServer(t, newStore(t), nil)
		var published []string // oldest first
		for _, typ := range []string{"document.created", "signature.created", "document.created", "webhook.ping", "document.created"} {
			published = append(published, s.publish(typ).EventID)
		}
		newestFirst := slices.Clone(published)
		slices.Reverse(newestFirst)

		var page wire.EventList
		s.call("GET", "/v1/events", nil, http.StatusOK, &page)
		if got := wireEventIDs(page.Data); !slices.Equal(got, newestFirst) || page.NextCursor != "" {
			t.Fatalf("GET /v1/events = %v next %q, want %v and no next page", got, page.NextCursor, newestFirst)
		}
		if page.Data[0].Type != "document.created" || page.Data[0].CreatedAt.IsZero() || page.Data[0].Data == nil {
			t.Errorf("newest event = %+v", page.Data[0])
		}

		// Pages of two follow one another to the end.
		var paged []string
		path := "/v1/events?limit=2"
		for range 5 {
			s.call("GET", path, nil, http.StatusOK, &page)
			paged = append(paged, wireEventIDs(page.Data)...)
			if page.NextCursor == "" {
				break
			}
			path = "/v1/events?limit=2&cursor=" + url.QueryEscape(page.NextCursor)
		}
		if !slices.Equal(paged, newestFirst) {
			t.Errorf("paged %v, want %v", paged, newestFirst)
		}

		s.call("GET", "/v1/events?type=document.created&limit=2", nil, http.StatusOK, &page)
		if got := wireEventIDs(page.Data); !slices.Equal(got, []string{published[4], published[2]}) || page.NextCursor == "" {
			t.Errorf("type filter page 1 = %v next %q", got, page.NextCursor)
		}
		s.call("GET", "/v1/events?type=document.created&cursor="+url.QueryEscape(page.NextCursor), nil, http.StatusOK, &page)
		if got := wireEventIDs(page.Data); !slices.Equal(got, []string{published[0]}) {
			t.Errorf("type filter page 2 = %v", got)
		}

		future := url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		s.call("GET", "/v1/events?created_after="+future, nil, http.StatusOK, &page)
		if len(page.Data) != 0 {
			t.Errorf("created_after an hour ahead listed %v", wireEventIDs(page.Data))
		}
		s.call("GET", "/v1/events?created_before="+future+"&type=webhook.ping", nil, http.StatusOK, &page)
		if got := wireEventIDs(page.Data); !slices.Equal(got, []string{published[3]}) {
			t.Errorf("created_before + type = %v", got)
		}

		for _, bad := range []string{"cursor=nope", "cursor=12_not-a-uuid", "limit=0", "created_after=yesterday", "created_after=2026-01-02T00:00:00Z&created_before=2026-01-01T00:00:00Z"} {
			s.wantError("GET", "/v1/events?"+bad, nil, http.StatusBadRequest, "bad_request")
		}
	})
}

// wireEventIDs lists the IDs of events, in order.
func wireEventIDs(evs []wire.Event) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return ids
}
