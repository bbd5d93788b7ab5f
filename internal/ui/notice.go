package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// notices are the messages shown after a change, by the code that the
// redirect carries in ?notice=. Codes keep free text out of URLs.
var notices = map[string]string{
	"updated":          "Endpoint saved.",
	"enabled":          "Endpoint enabled.",
	"disabled":         "Endpoint disabled.",
	"recovery-stopped": "Automatic recovery stopped: the endpoint is no longer probed, and its recovered deliveries not sent yet are cancelled.",
	"deleted":          "Endpoint deleted.",
	"pinged":           "Test event queued for this endpoint.",
	"challenged":       "New verification challenge queued; the previous one no longer counts.",
	"retried":          "Delivery queued to be sent again now.",
	"cancelled":        "Delivery cancelled.",
	"replayed":         "%d failed or cancelled deliveries queued to be sent again.",
	"published":        "Event published to %d endpoints.",

	"event-type-created": "Event type added to the catalog.",
	"event-type-saved":   "Event type saved.",
	"event-type-deleted": "Event type removed from the catalog; its events are kept.",
}

// noticeText is the message of the request's ?notice=, with its ?n=.
func noticeText(r *http.Request) string {
	q := r.URL.Query()
	msg, ok := notices[q.Get("notice")]
	if !ok {
		return ""
	}
	if n, err := strconv.Atoi(q.Get("n")); err == nil {
		return fmt.Sprintf(msg, n)
	}
	return msg
}

// redirectNotice sends the browser to target (a dashboard path, with or
// without a query) with a notice; n fills the notice's count when it has one.
func redirectNotice(w http.ResponseWriter, r *http.Request, target, notice string, n ...int) {
	q := url.Values{"notice": {notice}}
	if len(n) > 0 {
		q.Set("n", strconv.Itoa(n[0]))
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	http.Redirect(w, r, target+sep+q.Encode(), http.StatusSeeOther)
}
