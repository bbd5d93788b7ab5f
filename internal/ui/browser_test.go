package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// chromiumPath is where Debian's chromium package (and .ci/install-chromium)
// puts the browser.
const chromiumPath = "/usr/bin/chromium"

// screenshotsEnv names a folder that receives PNG screenshots of the main
// screens when set (the README's come from docs/screenshots).
const screenshotsEnv = "HOOKRELAY_SCREENSHOTS"

// needChromium skips the test when Chromium is not installed (fails it on
// CI, where the browser tests must run).
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		const why = "%s is not installed, so the browser test cannot run: install it with .ci/install-chromium (apt-get install chromium)"
		if os.Getenv("CI") == "true" {
			t.Fatalf(why+"; CI=true, where the browser test must run", chromiumPath)
		}
		t.Skipf(why, chromiumPath)
	}
}

// Viewports of the screenshots and the layout checks.
const (
	desktopWidth  = 1280
	desktopHeight = 900
	phoneWidth    = 390
	phoneHeight   = 844
)

// TestBrowser drives the dashboard in headless Chromium over a real server
// with a delivery worker and a receiver: sign in, create endpoints, publish
// an event, see it delivered and failed, retry the failure, rotate a secret
// and disable an endpoint, then check every page at phone width.
func TestBrowser(t *testing.T) {
	needChromium(t)
	st := testenv.NewPostgres(t)
	rcv := newReceiver(t)
	s := newSite(t, st, testToken)
	startWorker(t, st)
	c := newChrome(t, s.url)

	// Sign in with the keyboard: the token field has the focus, Enter sends.
	c.open("/ui/endpoints")
	c.see("Sign in", "API token")
	c.shoot("login")
	c.do(chromedp.SendKeys(chromedp.CSS("#token"), testToken+"\r"))
	c.waitFor("#main h1", "Endpoints")

	// Create an endpoint that answers 200; its secret is shown once.
	c.open("/ui/endpoints/new")
	c.fill(map[string]string{"#title": "Orders service", "#url": rcv.URL + "/ok", "#events": "order.*"})
	c.submit("form.form button[type=submit]")
	c.see("Endpoint created", "This is the only time the secret is shown.")
	secret := c.value("#secret-value")
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	c.submit("a.button.primary")
	c.see("Orders service", "whsec_…")
	c.lacks(secret)

	// And one that answers 500, with a long URL and no retries.
	longURL := rcv.URL + "/flaky/" + strings.Repeat("a-very-long-path-segment-", 8) + "?tenant=acme-corporation-international"
	c.open("/ui/endpoints/new")
	c.fill(map[string]string{"#title": "Warehouse sync", "#url": longURL, "#events": "order.created", "#max_retries": "0"})
	c.submit("form.form button[type=submit]")
	c.see("Endpoint created")

	// Publish an event: it goes to both.
	c.open("/ui/events")
	c.fill(map[string]string{"#type": "order.created", "#data": `{"order_id": "o-1042", "total": 99.5}`})
	c.submit(`form[action="/ui/events"][method="post"] button`)
	c.see("Event published to 2 endpoints.")
	eventID := c.value("#event-id")
	waitStatus(t, st, store.DeliveryFilter{EventID: eventID}, store.StatusDelivered, store.StatusFailed)
	for _, eventType := range []string{"order.paid", "order.shipped", "order.created"} {
		publishVia(t, s, eventType)
	}
	waitQueueEmpty(t, st)

	c.open("/ui/events?id=" + eventID)
	c.see("Where it went", "Orders service", "Warehouse sync", "delivered", "failed", "o-1042")
	c.shoot("event")

	// The events page lists them, newest first, and filters by type.
	c.open("/ui/events")
	c.see("Recent events", "order.paid", "order.shipped", eventID)
	c.fill(map[string]string{"#f-type": "order.paid"})
	c.submit(`form[aria-label="Filter events"] button`)
	c.see("order.paid")
	c.lacks("order.shipped", eventID)

	c.open("/ui/deliveries")
	c.see("order.paid", "order.shipped", "HTTP 500", "HTTP 200")
	c.shoot("deliveries")

	// The failed delivery shows its attempt; retried once the receiver heals, it is delivered.
	c.open("/ui/deliveries?status=failed&event_id=" + eventID)
	c.submit("table.cards tbody tr td a")
	c.see("Attempt 1: HTTP 500", "receiver is down", "Request headers", "Retry now")
	failedURL := c.location()
	c.shoot("delivery")
	rcv.heal()
	c.submit(`form[action$="/retry"] button`)
	c.see("Delivery queued to be sent again now.")
	waitStatus(t, st, store.DeliveryFilter{EventID: eventID}, store.StatusDelivered, store.StatusDelivered)
	c.open(strings.TrimPrefix(failedURL, s.url))
	c.see("Attempt 2: HTTP 200", "delivered")

	// Rotating a secret asks first (a JavaScript confirm, accepted here).
	c.acceptDialogs()
	c.open("/ui/endpoints")
	c.submit(`//a[text()="Orders service"]`)
	c.submit(`form[action$="/rotate-secret"] button`)
	c.see("Secret rotated", "The previous secret also signs requests until")
	if c.value("#secret-value") == secret {
		t.Fatal("the secret did not change")
	}

	// Disable the flaky endpoint with a reason.
	c.open("/ui/endpoints")
	c.submit(`//a[text()="Warehouse sync"]`)
	c.do(chromedp.Click(chromedp.CSS("details.disable summary")))
	c.fill(map[string]string{"#reason": "warehouse moves to the new API"})
	c.submit(`form[action$="/disable"] button`)
	c.see("Endpoint disabled.", "warehouse moves to the new API", "Enable")
	endpointURL := strings.TrimPrefix(c.location(), s.url)
	endpointURL, _, _ = strings.Cut(endpointURL, "?")
	c.shoot("endpoint")
	if es, err := st.ListEndpoints(t.Context(), store.EndpointFilter{Active: new(false)}); err != nil || len(es) != 1 {
		t.Fatalf("inactive endpoints %v (%v)", es, err)
	}

	c.open("/ui/endpoints")
	c.see("Orders service", "Warehouse sync", "warehouse moves to the new API", "100 %", "50 %")
	c.shoot("endpoints")
	c.open("/ui/")
	c.see("Deliveries per minute", "Warehouse sync")
	c.shoot("overview")

	// Every page fits a phone: nothing wider than the screen, long URLs wrap.
	c.viewport(phoneWidth, phoneHeight, 2)
	for name, path := range map[string]string{
		"overview": "/ui/", "endpoints": "/ui/endpoints", "endpoint": endpointURL,
		"deliveries": "/ui/deliveries", "delivery": strings.TrimPrefix(failedURL, s.url),
		"event": "/ui/events?id=" + eventID, "events": "/ui/events", "new": "/ui/endpoints/new",
	} {
		c.open(path)
		if overflow := c.horizontalOverflow(); overflow != "" {
			t.Errorf("%s at %d px: wider than the screen: %s", name, phoneWidth, overflow)
		}
		if name == "endpoints" || name == "deliveries" || name == "delivery" {
			c.shoot("phone-" + name)
		}
	}
}

// receiver is a loopback endpoint: /ok answers 200, anything else 500
// until heal is called.
type receiver struct {
	*httptest.Server
	healed atomic.Bool
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/ok" || r.healed.Load() {
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"received":true}`))
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("receiver is down"))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) heal() { r.healed.Store(true) }

// startWorker runs a delivery worker over st, its options changed by mods,
// until the test ends. Retries wait an hour, so a failure stays failed until
// the test retries it.
func startWorker(t *testing.T, st store.Store, mods ...func(*delivery.Options)) {
	t.Helper()
	sender := delivery.NewSender(delivery.SenderOptions{Timeout: 5 * time.Second, AllowPrivate: true})
	opts := delivery.Options{
		Concurrency: 8, EndpointInFlight: 8, BatchSize: 10, Lease: time.Minute,
		PollInterval: 50 * time.Millisecond,
		Retry:        delivery.RetryPolicy{Base: time.Hour, Cap: time.Hour, RetryAfterCap: time.Hour},
	}
	for _, m := range mods {
		m(&opts)
	}
	testenv.Run(t, "worker", delivery.NewWorker(st, sender, opts).Run)
}

// publishVia publishes an event through the API, as an application does.
func publishVia(t *testing.T, s *site, eventType string) {
	t.Helper()
	if status := s.apiCall(http.MethodPost, "/v1/events", map[string]any{"type": eventType, "data": map[string]string{"order_id": "o-1043"}}, nil); status != http.StatusAccepted {
		t.Fatalf("publish %s: status %d", eventType, status)
	}
}

// waitStatus waits until the deliveries matching f are exactly in the given
// states, in any order (none at all when no state is given).
func waitStatus(t *testing.T, st store.Store, f store.DeliveryFilter, want ...store.Status) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ds, err := st.ListDeliveries(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		got := map[store.Status]int{}
		for _, d := range ds {
			got[d.Status]++
		}
		wanted := map[store.Status]int{}
		for _, w := range want {
			wanted[w]++
		}
		if len(ds) == len(want) && equalCounts(got, wanted) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries %+v: states %v, want %v", f, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitQueueEmpty waits until nothing is pending or in flight.
func waitQueueEmpty(t *testing.T, st store.Store) {
	t.Helper()
	waitStatus(t, st, store.DeliveryFilter{Status: store.StatusPending})
	waitStatus(t, st, store.DeliveryFilter{Status: store.StatusProcessing})
}

func equalCounts(a, b map[store.Status]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// chrome is one headless Chromium tab on the site.
type chrome struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
}

// newChrome starts headless Chromium with a fresh profile, at desktop size.
func newChrome(t *testing.T, base string) *chrome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(desktopWidth, desktopHeight),
	)
	t.Cleanup(cancelAlloc)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	c := &chrome{t: t, ctx: tabCtx, base: base, shots: os.Getenv(screenshotsEnv)}
	c.viewport(desktopWidth, desktopHeight, 1)
	return c
}

// do runs actions and fails the test on error.
func (c *chrome) do(actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, actions...); err != nil {
		c.t.Fatalf("browser: %v", err)
	}
}

// open loads a dashboard path and waits for its main content.
func (c *chrome) open(path string) {
	c.t.Helper()
	c.do(chromedp.Navigate(c.base+path), chromedp.WaitReady(chromedp.CSS("#main")))
}

// submit clicks what sel finds (CSS, or XPath when it starts with //) and
// waits for the page it leads to.
func (c *chrome) submit(sel string) {
	c.t.Helper()
	var click chromedp.Action[chromedp.Void]
	if strings.HasPrefix(sel, "//") {
		click = chromedp.Click(sel, chromedp.NodeVisible)
	} else {
		click = chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)
	}
	if _, err := chromedp.RunResponse(c.ctx, click); err != nil {
		c.t.Fatalf("click %s: %v", sel, err)
	}
	c.do(chromedp.WaitReady(chromedp.CSS("#main")))
}

// fill sets inputs by CSS selector, replacing what they held, as typing
// would (an input event follows). It sets them in the page's JavaScript:
// chromedp's SendKeys reads a node's attributes while its event loop may be
// writing them (a data race inside chromedp that the race detector reports
// when, say, a <details> opens just before).
func (c *chrome) fill(values map[string]string) {
	c.t.Helper()
	for sel, v := range values {
		const set = `((sel, v) => {
			const el = document.querySelector(sel);
			if (!el) return false;
			el.focus(); el.value = v;
			el.dispatchEvent(new Event("input", {bubbles: true}));
			el.dispatchEvent(new Event("change", {bubbles: true}));
			return true;
		})(%q, %q)`
		ok, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](fmt.Sprintf(set, sel, v)))
		if err != nil || !ok {
			c.t.Fatalf("fill %s: %v (found: %v)", sel, err, ok)
		}
	}
}

// value reads an input.
func (c *chrome) value(sel string) string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		c.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// location is the URL of the page.
func (c *chrome) location() string {
	c.t.Helper()
	loc, err := chromedp.Run(c.ctx, chromedp.Location())
	if err != nil {
		c.t.Fatal(err)
	}
	return loc
}

// mainText is the visible text of the page's main content.
func (c *chrome) mainText() string {
	c.t.Helper()
	text, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS("#main")))
	if err != nil {
		c.t.Fatalf("read the page: %v", err)
	}
	return text
}

// see checks that the page shows every text.
func (c *chrome) see(texts ...string) {
	c.t.Helper()
	text := c.mainText()
	for _, want := range texts {
		if !strings.Contains(text, want) {
			c.t.Fatalf("%s does not show %q; it shows:\n%s", c.location(), want, text)
		}
	}
}

// lacks checks that the page's HTML holds none of texts.
func (c *chrome) lacks(texts ...string) {
	c.t.Helper()
	html, err := chromedp.Run(c.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		c.t.Fatal(err)
	}
	for _, text := range texts {
		if strings.Contains(html, text) {
			c.t.Fatalf("%s holds %q", c.location(), text)
		}
	}
}

// waitFor waits until the element sel shows text.
func (c *chrome) waitFor(sel, text string) {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS(sel)))
		if err == nil && strings.Contains(got, text) {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: %s shows %q, want %q (%v)", c.location(), sel, got, text, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// acceptDialogs answers every confirm() of the page with OK from now on.
func (c *chrome) acceptDialogs() {
	dialogs := chromedp.Events(c.ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(c.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
}

// viewport sets the size of the tab, in CSS pixels, and its pixel ratio.
func (c *chrome) viewport(width, height int64, scale float64) {
	c.t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(scale)}
	if width < desktopWidth {
		opts = append(opts, chromedp.EmulateMobile)
	}
	c.do(chromedp.EmulateViewport(width, height, opts...))
}

// horizontalOverflow names the elements wider than the viewport, or "" when
// the page fits.
func (c *chrome) horizontalOverflow() string {
	c.t.Helper()
	out, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`(() => {
		const width = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= width) return "";
		return [...document.querySelectorAll("body *")]
			.filter(el => el.getBoundingClientRect().right > width + 1)
			.slice(0, 5)
			.map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))
			.join(", ") || "the page";
	})()`))
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

// shoot saves a PNG of the whole page as <name>.png in the screenshot
// folder, when there is one.
func (c *chrome) shoot(name string) {
	c.t.Helper()
	if c.shots == "" {
		return
	}
	png, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(c.shots, name+".png"), png, 0o644); err != nil {
		c.t.Fatal(err)
	}
}
