// Package inbox is the receiving end of the examples: a loopback HTTP server
// that verifies each webhook's signature with the signature package, answers
// 204, and hands over the body of every event it accepted. A real receiver
// is another service; the examples run one in the same process so that they
// show a delivery end to end.
package inbox

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/signature"
)

// Inbox is a running receiver.
type Inbox struct {
	// URL is the endpoint URL to subscribe (loopback: the client needs
	// WithAllowPrivateTargets).
	URL string
	// Secret is the signing secret to give the endpoint.
	Secret string
	bodies chan string
	srv    *http.Server
}

// Start starts a receiver on a free loopback port with a new secret.
func Start() (*Inbox, error) {
	secret, err := signature.GenerateSecret()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	in := &Inbox{URL: "http://" + ln.Addr().String() + "/hooks", Secret: secret, bodies: make(chan string, 16)}
	in.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, body, err := signature.VerifyRequest(w, r, signature.VerifyOptions{Secrets: []string{in.Secret}})
		if err != nil {
			http.Error(w, err.Error(), signature.StatusCode(err))
			return
		}
		in.bodies <- string(body)
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = in.srv.Serve(ln) }() // returns once Close is called
	return in, nil
}

// Next returns the body of the next event accepted, or an error once ctx
// ends or after 10 seconds.
func (in *Inbox) Next(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	select {
	case body := <-in.bodies:
		return body, nil
	case <-ctx.Done():
		return "", fmt.Errorf("no webhook arrived: %w", ctx.Err())
	}
}

// PrintNext waits for the next event (Next) and prints its body to out as
// "delivered: <body>".
func (in *Inbox) PrintNext(ctx context.Context, out io.Writer) error {
	body, err := in.Next(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, "delivered:", body)
	return err
}

// Close stops the receiver.
func (in *Inbox) Close() error { return in.srv.Close() }
