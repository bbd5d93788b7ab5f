package store

import "net/url"

// ConfigSource is the CreatedBy value of endpoints synced from WEBHOOK_URLS.
const ConfigSource = "config:WEBHOOK_URLS"

// RemovedFromConfigReason is the DisabledReason that SyncConfigEndpoints
// gives an endpoint synced from configuration whose URL left WEBHOOK_URLS.
const RemovedFromConfigReason = "removed from WEBHOOK_URLS"

// URLHost is the host of a URL, or the URL itself when it has none: the
// Title of an endpoint that SyncConfigEndpoints adds, and the name of its URL
// in SyncConfigEndpoints' errors.
func URLHost(u string) string {
	if parsed, err := url.Parse(u); err == nil && parsed.Host != "" {
		return parsed.Host
	}
	return u
}
