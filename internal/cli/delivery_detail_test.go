package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// TestDeliveryDetailSaysWhyItWasSentAgain: `deliveries get` of a delivery
// that automatic recovery queued again shows when and why, as the API's
// recovered_at and recovery_reason do; other deliveries show no such row.
func TestDeliveryDetailSaysWhyItWasSentAgain(t *testing.T) {
	at := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	var b strings.Builder
	d := wire.DeliveryDetail{}
	d.ID, d.Status = 7, "pending"
	d.RecoveredAt, d.RecoveryReason = &at, "recovered after the endpoint came back"
	printDeliveryDetail(&b, d)
	if out := b.String(); !strings.Contains(out, "Recovered:") || !strings.Contains(out, "recovered after the endpoint came back") {
		t.Errorf("recovered delivery:\n%s\nwant a Recovered: row with the reason", out)
	}
	b.Reset()
	d.RecoveredAt, d.RecoveryReason = nil, ""
	printDeliveryDetail(&b, d)
	if strings.Contains(b.String(), "Recovered:") {
		t.Errorf("a delivery never recovered shows a Recovered: row:\n%s", b.String())
	}
}
