package signature_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/signature"
)

// A sender signs a request; a receiver holding the same secret verifies it.
func ExampleVerify() {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"id":"evt_1","type":"document.created","data":{}}`)
	sent := time.Unix(1700000000, 0)

	h := http.Header{}
	if err := signature.SetHeaders(h, "evt_1", sent, body, secret); err != nil {
		panic(err)
	}
	fmt.Println(h.Get("webhook-signature"))

	opts := signature.VerifyOptions{
		Secrets: []string{secret},
		Now:     func() time.Time { return sent.Add(30 * time.Second) },
	}
	v, err := signature.Verify(h, body, opts)
	fmt.Println(v.ID, v.Scheme, err)

	_, err = signature.Verify(h, []byte(`{"forged":true}`), opts)
	fmt.Println(errors.Is(err, signature.ErrMismatch))
	// Output:
	// v1,bVId2pUgS4ZzF1Eagr1aNuedBYBZU1QdXl3eEoY8Rfs=
	// evt_1 standard-webhooks <nil>
	// true
}

// During a rotation every request carries two signatures; a receiver that
// still has the previous secret keeps accepting them.
func ExampleSetHeaders_rotation() {
	current := "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	previous := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{}`)
	h := http.Header{}
	if err := signature.SetHeaders(h, "evt_2", time.Now(), body, current, previous); err != nil {
		panic(err)
	}
	fmt.Println(len(strings.Fields(h.Get("webhook-signature"))), "webhook-signature entries")
	fmt.Println(len(strings.Split(h.Get("X-Signature"), ",")), "X-Signature entries")

	v, err := signature.Verify(h, body, signature.VerifyOptions{Secrets: []string{previous}})
	fmt.Println(v.ID, err)
	// Output:
	// 2 webhook-signature entries
	// 2 X-Signature entries
	// evt_2 <nil>
}

// A plain WEBHOOK_SECRET is its own HMAC key; Standard Webhooks libraries
// want it in the whsec_ form.
func ExampleStandardSecret() {
	std, err := signature.StandardSecret("change-me")
	fmt.Println(std, err)
	// Output: whsec_Y2hhbmdlLW1l <nil>
}

// Middleware rejects unsigned requests before the handler runs.
func ExampleMiddleware() {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	handler := signature.Middleware(signature.VerifyOptions{Secrets: []string{secret}},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, _ := signature.FromContext(r.Context())
			body, _ := io.ReadAll(r.Body)
			fmt.Printf("handling %s: %s\n", v.ID, body)
		}))

	body := `{"type":"document.created"}`
	signed := httptest.NewRequest(http.MethodPost, "/hooks", strings.NewReader(body))
	if err := signature.SetHeaders(signed.Header, "evt_3", time.Now(), []byte(body), secret); err != nil {
		panic(err)
	}
	handler.ServeHTTP(httptest.NewRecorder(), signed)

	unsigned := httptest.NewRequest(http.MethodPost, "/hooks", strings.NewReader(body))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, unsigned)
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// handling evt_3: {"type":"document.created"}
	// 400 {"error":"missing header: webhook-signature: the request carries neither webhook-signature nor X-Signature"}
}
