package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
)

// endpointsCmd manages endpoints through the API.
type endpointsCmd struct {
	Add          endpointsAddCmd     `cmd:"" help:"Create an endpoint; its secret is shown once."`
	List         endpointsListCmd    `cmd:"" help:"List endpoints."`
	Get          endpointsGetCmd     `cmd:"" help:"Show one endpoint."`
	Update       endpointsUpdateCmd  `cmd:"" help:"Change some fields of an endpoint."`
	Rm           endpointsRmCmd      `cmd:"" help:"Delete an endpoint and its deliveries."`
	Enable       endpointsEnableCmd  `cmd:"" help:"Activate an endpoint and reset its failure record."`
	Disable      endpointsDisableCmd `cmd:"" help:"Deactivate an endpoint."`
	RotateSecret endpointsRotateCmd  `cmd:"" name:"rotate-secret" help:"Replace an endpoint's secret; the old one keeps signing for a while."`
	Ping         endpointsPingCmd    `cmd:"" help:"Send a webhook.ping event to an endpoint."`
	Verify       endpointsVerifyCmd  `cmd:"" help:"Send an unverified endpoint a new verification challenge (the previous one no longer counts)."`
}

// onEndpoint holds the arguments of a command on one endpoint.
type onEndpoint struct {
	apiFlags
	ID int64 `arg:"" help:"Endpoint ID."`
}

type endpointsAddCmd struct {
	apiFlags
	URL              string   `name:"url" required:"" help:"Target URL (http or https)."`
	Title            string   `help:"Short name of the endpoint."`
	Events           []string `name:"event" help:"Event type to subscribe to: exact, \"*\" or \"prefix.*\"; repeat or separate by commas (default: all)."`
	Headers          []string `name:"header" sep:"none" placeholder:"\"NAME: VALUE\"" help:"Custom header \"Name: value\" sent with every request; repeatable."`
	Description      string   `help:"Free text."`
	MaxRetries       *int     `name:"max-retries" placeholder:"N" help:"Retries after the first attempt (default: the server's)."`
	RateLimit        int      `name:"rate-limit" placeholder:"PER_SECOND" help:"Requests started per second at most, across every worker (0 to 10000; default 0: unlimited)."`
	SignatureProfile string   `name:"signature-profile" enum:",standard,ackify" default:"" help:"Wire format: standard or ackify (default: the server's HOOKRELAY_SIGNATURE_PROFILE)."`
	Secret           string   `help:"Signing secret, at least 16 bytes (default: generated)."`
	Inactive         bool     `help:"Create the endpoint disabled."`
	Tenant           string   `placeholder:"TENANT" help:"Put the endpoint in this tenant, for good: it receives only the tenant's events (1 to 64 bytes of letters, digits and . _ : -; a UUID on Ackify's database)."`
	// RequireVerification is nil when neither flag is given: the server's
	// HOOKRELAY_REQUIRE_VERIFICATION decides.
	RequireVerification *bool `name:"require-verification" negatable:"" help:"The endpoint must echo a webhook.verification challenge before it receives anything else (--no-require-verification: it need not; default: the server's HOOKRELAY_REQUIRE_VERIFICATION)."`
}

func (c *endpointsAddCmd) Run(e Env) error {
	headers, err := parseHeaders(c.Headers)
	if err != nil {
		return err
	}
	active := !c.Inactive
	req := wire.EndpointCreate{
		Title: c.Title, URL: c.URL, Events: c.Events, Headers: headers, Description: c.Description,
		Active: &active, MaxRetries: c.MaxRetries, SignatureProfile: c.SignatureProfile, Secret: c.Secret,
		RateLimitPerSecond: c.RateLimit, RequireVerification: c.RequireVerification, TenantID: c.Tenant,
	}
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.Endpoint, error) {
		return cl.CreateEndpoint(e.Ctx, req)
	}, printEndpointWithSecret)
}

type endpointsListCmd struct {
	apiFlags
	Active   bool   `xor:"state" help:"Only active endpoints."`
	Inactive bool   `xor:"state" help:"Only inactive endpoints."`
	Tenant   string `placeholder:"TENANT" help:"Only the endpoints of this tenant."`
	Limit    int    `default:"50" help:"Endpoints per page (1 to 500)."`
	Cursor   int64  `placeholder:"ID" aliases:"after" help:"Continue from this cursor (printed by the previous page); --after is its older name."`
}

func (c *endpointsListCmd) Run(e Env) error {
	f := client.EndpointFilter{Cursor: c.Cursor, Limit: c.Limit, TenantID: c.Tenant}
	if c.Active || c.Inactive {
		f.Active = &c.Active
	}
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.EndpointList, error) {
		return cl.ListEndpoints(e.Ctx, f)
	}, func(w io.Writer, page wire.EndpointList) {
		row(w, "ID", "TITLE", "URL", "ACTIVE", "EVENTS", "RATE LIMIT", "FAILURES", "LAST DELIVERED", "VERIFICATION", "TENANT")
		for _, ep := range page.Data {
			row(w, strconv.FormatInt(ep.ID, 10), orDash(ep.Title), ep.URL, strconv.FormatBool(ep.Active),
				eventsText(ep.Events), rateLimitText(ep.RateLimitPerSecond), strconv.Itoa(ep.FailureCount),
				fmtTime(ep.LastDeliveredAt), ep.Verification.State, orDash(ep.TenantID))
		}
		moreHint(e.Stderr, "cursor", page.NextCursor)
	})
}

type endpointsGetCmd struct{ onEndpoint }

func (c *endpointsGetCmd) Run(e Env) error {
	return byID(e, c.apiFlags, c.ID, (*client.Client).GetEndpoint, printEndpoint)
}

type endpointsUpdateCmd struct {
	onEndpoint
	URL              *string  `name:"url" help:"New target URL."`
	Title            *string  `help:"New title."`
	Events           []string `name:"event" help:"Replace the subscribed event types; repeat or separate by commas."`
	AllEvents        bool     `name:"all-events" xor:"events" help:"Subscribe to every event type."`
	Headers          []string `name:"header" sep:"none" placeholder:"\"NAME: VALUE\"" xor:"headers" help:"Replace the custom headers with these \"Name: value\"; repeatable."`
	NoHeaders        bool     `name:"no-headers" xor:"headers" help:"Remove every custom header."`
	Description      *string  `help:"New description."`
	MaxRetries       *int     `name:"max-retries" placeholder:"N" help:"Retries after the first attempt."`
	RateLimit        *int     `name:"rate-limit" placeholder:"PER_SECOND" help:"Requests started per second at most, across every worker (0 to 10000; 0 removes the limit)."`
	SignatureProfile *string  `name:"signature-profile" enum:"standard,ackify" help:"Wire format: standard or ackify."`
}

func (c *endpointsUpdateCmd) Run(e Env) error {
	req := wire.EndpointUpdate{
		URL: c.URL, Title: c.Title, Description: c.Description, MaxRetries: c.MaxRetries, SignatureProfile: c.SignatureProfile,
		RateLimitPerSecond: c.RateLimit,
	}
	if c.AllEvents && len(c.Events) > 0 {
		return usageError{fmt.Errorf("--event and --all-events cannot be used together")}
	}
	if c.AllEvents || len(c.Events) > 0 {
		events := append([]string{}, c.Events...)
		req.Events = &events
	}
	if c.NoHeaders || len(c.Headers) > 0 {
		headers, err := parseHeaders(c.Headers)
		if err != nil {
			return err
		}
		req.Headers = &headers
	}
	if req == (wire.EndpointUpdate{}) {
		return usageError{fmt.Errorf("nothing to change: give at least one of --url, --title, --event, --all-events, --header, --no-headers, --description, --max-retries, --rate-limit, --signature-profile")}
	}
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.Endpoint, error) {
		return cl.UpdateEndpoint(e.Ctx, c.ID, req)
	}, printEndpoint)
}

type endpointsRmCmd struct {
	onEndpoint
	Yes bool `short:"y" help:"Delete without asking; needed when standard input is not a terminal."`
}

func (c *endpointsRmCmd) Run(e Env) error {
	if !c.Yes {
		if !isTerminal(e.Stdin) {
			return usageError{fmt.Errorf("deleting endpoint %d also deletes all its deliveries and their history; add --yes to confirm", c.ID)}
		}
		ok, err := confirm(e, fmt.Sprintf("Delete endpoint %d with all its deliveries and their history? [y/N] ", c.ID))
		if err != nil || !ok {
			if err == nil {
				err = errors.New("nothing deleted")
			}
			return err
		}
	}
	return byID(e, c.apiFlags, c.ID, func(cl *client.Client, ctx context.Context, id int64) (map[string]int64, error) {
		return map[string]int64{"deleted": id}, cl.DeleteEndpoint(ctx, id)
	}, func(w io.Writer, _ map[string]int64) {
		fmt.Fprintf(w, "endpoint %d deleted\n", c.ID)
	})
}

type endpointsEnableCmd struct{ onEndpoint }

func (c *endpointsEnableCmd) Run(e Env) error {
	return byID(e, c.apiFlags, c.ID, (*client.Client).EnableEndpoint, printEndpoint)
}

type endpointsDisableCmd struct {
	onEndpoint
	Reason string `help:"Why (default: \"disabled by API\")."`
}

func (c *endpointsDisableCmd) Run(e Env) error {
	return byIDWith(e, c.apiFlags, c.ID, c.Reason, (*client.Client).DisableEndpoint, printEndpoint)
}

type endpointsRotateCmd struct {
	onEndpoint
	Secret string `help:"The new secret, at least 16 bytes (default: generated)."`
}

func (c *endpointsRotateCmd) Run(e Env) error {
	return byIDWith(e, c.apiFlags, c.ID, c.Secret, (*client.Client).RotateSecret, printEndpointWithSecret)
}

type endpointsPingCmd struct{ onEndpoint }

func (c *endpointsPingCmd) Run(e Env) error {
	return byID(e, c.apiFlags, c.ID, (*client.Client).PingEndpoint, func(w io.Writer, p wire.PingResponse) {
		fmt.Fprintf(w, "ping queued: event %s, delivery %d\n", p.EventID, p.DeliveryID)
	})
}

type endpointsVerifyCmd struct{ onEndpoint }

func (c *endpointsVerifyCmd) Run(e Env) error {
	return byID(e, c.apiFlags, c.ID, (*client.Client).VerifyEndpoint, func(w io.Writer, ep wire.Endpoint) {
		fmt.Fprintf(w, "challenge queued for endpoint %d at %s: it receives nothing else until it answers 2xx with the challenge\n",
			ep.ID, fmtTime(ep.Verification.ChallengeSentAt))
	})
}

// parseHeaders reads "Name: value" flags into a map.
func parseHeaders(flags []string) (map[string]string, error) {
	headers := make(map[string]string, len(flags))
	for _, h := range flags {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, usageError{fmt.Errorf("--header %q: want \"Name: value\"", h)}
		}
		headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	return headers, nil
}

// printEndpoint shows one endpoint as a detail view.
func printEndpoint(w io.Writer, ep wire.Endpoint) {
	maxRetries := "server default"
	if ep.MaxRetries != nil {
		maxRetries = strconv.Itoa(*ep.MaxRetries)
	}
	names := make([]string, 0, len(ep.Headers))
	for name := range ep.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	row(w, "ID:", strconv.FormatInt(ep.ID, 10))
	row(w, "Title:", orDash(ep.Title))
	row(w, "URL:", ep.URL)
	row(w, "Tenant:", orDash(ep.TenantID))
	row(w, "Active:", strconv.FormatBool(ep.Active))
	row(w, "Events:", eventsText(ep.Events))
	row(w, "Headers:", orDash(strings.Join(names, ", ")))
	row(w, "Description:", orDash(ep.Description))
	row(w, "Max retries:", maxRetries)
	row(w, "Rate limit:", rateLimitText(ep.RateLimitPerSecond))
	row(w, "Signature profile:", ep.SignatureProfile)
	row(w, "Secret:", ep.Secret)
	if ep.PreviousSecretExpiresAt != nil {
		row(w, "Previous secret until:", fmtTime(ep.PreviousSecretExpiresAt))
	}
	row(w, "Failures:", strconv.Itoa(ep.FailureCount))
	if !ep.Active {
		row(w, "Disabled:", fmtTime(ep.DisabledAt)+" "+ep.DisabledReason)
	}
	if ep.ProbingSince != nil { // disabled by its health rules, probed (automatic recovery)
		row(w, "Probing since:", fmtTime(ep.ProbingSince))
		row(w, "Next probe:", fmtTime(ep.NextProbeAt))
	}
	row(w, "Last delivered:", fmtTime(ep.LastDeliveredAt))
	row(w, "Verification:", verificationText(ep.Verification))
	row(w, "Created:", fmtTime(&ep.CreatedAt))
	row(w, "Updated:", fmtTime(&ep.UpdatedAt))
}

// printEndpointWithSecret shows an endpoint whose answer holds its secret in
// full, with a reminder that it is shown once.
func printEndpointWithSecret(w io.Writer, ep wire.Endpoint) {
	printEndpoint(w, ep)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Store the secret now: it is not shown again.")
}

// verificationText shows an endpoint's ownership state: "verified" (with
// when, when it answered a challenge) or "unverified (challenge sent …)".
func verificationText(v wire.EndpointVerification) string {
	switch {
	case v.State == wire.Unverified:
		return "unverified (challenge sent " + fmtTime(v.ChallengeSentAt) + "; it receives nothing else until it echoes it)"
	case v.VerifiedAt != nil:
		return v.State + " " + fmtTime(v.VerifiedAt)
	}
	return v.State
}

// rateLimitText shows an endpoint's rate limit: "5/s", or "unlimited" for 0.
func rateLimitText(perSecond int) string {
	if perSecond == 0 {
		return "unlimited"
	}
	return strconv.Itoa(perSecond) + "/s"
}

// eventsText shows a subscription list; empty means every event.
func eventsText(events []string) string {
	if len(events) == 0 {
		return "*"
	}
	return strings.Join(events, ",")
}

// isTerminal reports whether r is a terminal, where a person can answer a
// question (/dev/null, a pipe or a file is not).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// confirm asks question on standard error and reports whether the answer
// read from standard input is y or yes (any case).
func confirm(e Env, question string) (bool, error) {
	fmt.Fprint(e.Stderr, question)
	answer, err := bufio.NewReader(e.Stdin).ReadString('\n')
	if err != nil && answer == "" {
		return false, fmt.Errorf("read the answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
