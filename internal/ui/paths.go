package ui

import (
	"html/template"
	"maps"
	"net/url"
	"strconv"
)

// paths builds the URLs of the pages under one prefix: the dashboard's
// (Prefix) or the customer portal's (PortalPrefix). The portal has no
// events page: its links to an event open the deliveries of that event.
type paths struct {
	prefix string
	portal bool
}

// to is the page rest (a path and query) under the prefix.
func (p paths) to(rest string) string { return p.prefix + rest }

// endpoint is the page of an endpoint.
func (p paths) endpoint(id int64) string { return p.prefix + "endpoints/" + strconv.FormatInt(id, 10) }

// delivery is the page of a delivery.
func (p paths) delivery(id int64) string { return p.prefix + "deliveries/" + strconv.FormatInt(id, 10) }

// event is the events page showing one event (in the portal: the
// deliveries of the event).
func (p paths) event(id string) string {
	if p.portal {
		return p.prefix + "deliveries?event_id=" + url.QueryEscape(id)
	}
	return p.prefix + "events?id=" + url.QueryEscape(id)
}

// deliveriesOf is the delivery log filtered to one endpoint.
func (p paths) deliveriesOf(id int64) string {
	return p.prefix + "deliveries?webhook_id=" + strconv.FormatInt(id, 10)
}

// eventType is the edit page of a catalogued type, its name escaped as a
// path segment.
func (p paths) eventType(name string) string { return p.prefix + "event-types/" + url.PathEscape(name) }

// door names the pages in what they write and say: "dashboard", or
// "portal" for the customer portal (a customer never reads "dashboard").
func (p paths) door() string {
	if p.portal {
		return "portal"
	}
	return "dashboard"
}

// disabledReason is the reason of an endpoint disabled (or created
// inactive) on these pages without one.
func (p paths) disabledReason() string { return "disabled in the " + p.door() }

// asset is the URL of a static file, with its version.
func (p paths) asset(name string) string {
	return p.prefix + "static/" + name + "?v=" + staticVersion
}

// funcs are templateFuncs with the helpers that build URLs under p.
func (p paths) funcs() template.FuncMap {
	f := maps.Clone(templateFuncs)
	maps.Copy(f, template.FuncMap{
		"prefix":         func() string { return p.prefix },
		"portal":         func() bool { return p.portal },
		"door":           p.door,
		"disabledReason": p.disabledReason,
		"asset":          p.asset,
		"endpointPath":   p.endpoint,
		"deliveryPath":   p.delivery,
		"eventPath":      p.event,
		"deliveriesOf":   p.deliveriesOf,
		"eventTypePath":  p.eventType,
	})
	return f
}
