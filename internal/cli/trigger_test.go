package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

func TestCLITrigger(t *testing.T) {
	s := newCLIServer(t)
	s.ok("webhooks", "add", "--url", "http://127.0.0.1:9/a")

	var res wire.PublishResponse
	s.okJSON(&res, "trigger", "signature.created")
	if !res.Created || res.Deliveries != 1 || res.Event.Type != "signature.created" {
		t.Fatalf("trigger signature.created = %+v", res)
	}
	var data map[string]any
	if err := json.Unmarshal(res.Event.Data, &data); err != nil || data["signer"] != "alice@example.com" || data["example"] != true {
		t.Errorf("signature.created sample = %s (%v)", res.Event.Data, err)
	}

	out := s.ok("trigger", "invoice.paid")
	wantLines(t, "unknown type", out, "sample invoice.paid event", "1 delivery", `no sample body for invoice.paid, so its data is {"example":true}`, "document.created")
	s.okJSON(&res, "trigger", "invoice.paid")
	data = nil
	if err := json.Unmarshal(res.Event.Data, &data); err != nil || len(data) != 1 || data["example"] != true {
		t.Errorf("generic sample = %s", res.Event.Data)
	}

	out = s.ok("trigger", "webhook.ping", "--endpoint", "1")
	wantLines(t, "ping", out, "sample webhook.ping event", "1 delivery")
	s.fails(1, "webhook 7 does not exist", "trigger", "webhook.ping", "--endpoint", "7")
	wantLines(t, "ping --webhook", s.ok("trigger", "webhook.ping", "--webhook", "1"), "sample webhook.ping event", "1 delivery")
	s.fails(2, "expected", "trigger")
}

// TestCLITriggerInATenant: an event reaches only the endpoints of its tenant,
// so trigger --webhook takes the endpoint's tenant, and --tenant names one.
func TestCLITriggerInATenant(t *testing.T) {
	s := newCLIServer(t)
	s.ok("webhooks", "add", "--url", "http://127.0.0.1:9/a", "--tenant", "acme")
	var res wire.PublishResponse
	s.okJSON(&res, "trigger", "invoice.paid", "--webhook", "1")
	if res.Deliveries != 1 || res.Event.TenantID != "acme" {
		t.Errorf("trigger --webhook 1 = %+v, want one delivery in tenant acme", res)
	}
	s.okJSON(&res, "trigger", "invoice.paid", "--tenant", "acme")
	if res.Deliveries != 1 || res.Event.TenantID != "acme" {
		t.Errorf("trigger --tenant acme = %+v, want one delivery in tenant acme", res)
	}
	s.okJSON(&res, "trigger", "invoice.paid")
	if res.Deliveries != 0 || res.Event.TenantID != "" {
		t.Errorf("trigger without tenant = %+v, want no delivery (the only endpoint is acme's)", res)
	}
}
