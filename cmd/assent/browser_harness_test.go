package main

// The browser-test harness. A browser test starts the real server through
// Main (serveForBrowser) and drives it from a headless Chromium with a fresh
// profile (newBrowser). The helpers fail the test on error, so a test reads
// as the steps a person takes:
//
//	url := serveForBrowser(t)
//	b := newBrowser(t, url)
//	b.signIn("admin", browserAdminPassword)
//	b.visit("/timeline")
//	b.screenshot("timeline")
//
// Selectors are CSS. Every helper waits for its element, up to stepTimeout,
// so that a missing element fails fast and names its selector. Chromium's
// console errors and uncaught exceptions fail the test when it ends.
// Screenshots go to $ASSENT_SCREENSHOTS when it is set, else to a temporary
// directory; when that variable is set, a failed test also leaves a
// screenshot of the page it failed on.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"assent/sqldb/sqldbtest"
)

const (
	// chromiumPath is Debian's Chromium; CI installs the package chromium.
	chromiumPath = "/usr/bin/chromium"

	// browserTimeout bounds a browser's whole life, stepTimeout one helper call.
	browserTimeout = 90 * time.Second
	stepTimeout    = 15 * time.Second

	// navigationGrace is how long a click on a link or a submit button waits
	// for a navigation to start before it takes it that a script handled
	// the click.
	navigationGrace = time.Second

	// browserAdminPassword is the first admin's password in serveForBrowser.
	browserAdminPassword = "browser-admin-password"
)

// The window sizes of the screenshots: a laptop and a phone.
const (
	desktopWidth, desktopHeight = 1280, 900
	phoneWidth, phoneHeight     = 390, 844
)

// serveForBrowser starts the server on SQLite in a temporary directory, with
// the first admin's password browserAdminPassword, and returns its URL.
func serveForBrowser(t *testing.T) string {
	t.Helper()
	t.Setenv("ASSENT_ADMIN_PASSWORD", browserAdminPassword)
	url, _ := serve(t, "--data-dir", filepath.Join(t.TempDir(), "data"), "--log-level", "warn")
	return url
}

// browser is one headless Chromium, with one tab, that opens pages of one
// server.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string

	shots string // screenshot directory, chosen at the first screenshot

	mu       sync.Mutex
	problems []string // console errors and uncaught exceptions
}

// newBrowser starts Chromium with a fresh profile at desktop size. It stops
// when the test ends, or after browserTimeout. Without Chromium the test is
// skipped, or fails when ASSENT_TEST_REQUIRE_ALL=1 (CI).
func newBrowser(t *testing.T, baseURL string) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		sqldbtest.SkipOrFail(t, chromiumPath+" is missing (apt-get install chromium)")
	}
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(desktopWidth, desktopHeight),
		// There is no network here: without these Chromium keeps calling
		// home and floods its log with refused connections.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	ctx, cancelTab := chromedp.NewContext(ctx)
	b := &browser{t: t, ctx: ctx, base: strings.TrimSuffix(baseURL, "/")}
	t.Cleanup(func() {
		if t.Failed() && os.Getenv("ASSENT_SCREENSHOTS") != "" {
			b.saveScreenshot(strings.ReplaceAll(t.Name(), "/", "_") + "-failed")
		}
		cancelTab()
		cancelAlloc() // waits for Chromium to exit
		cancelTimeout()
		removeProfile(profile)
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, p := range b.problems {
			t.Errorf("browser console: %s", p)
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	b.watchConsole()
	b.resize(desktopWidth, desktopHeight)
	return b
}

// watchConsole records the errors that pages write to the console: a
// refused script or style (Content-Security-Policy), a failed request for an
// asset, an uncaught exception.
func (b *browser) watchConsole() {
	messages := chromedp.Console(b.ctx) // subscribes now
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError && m.Source == "network" && !strings.Contains(m.URL, "/static/") {
				continue // a page's status, such as 401 for a wrong password, is the test's to check
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.problems = append(b.problems, fmt.Sprintf("%s (%s)", m, m.URL))
				b.mu.Unlock()
			}
		}
	}()
}

// removeProfile removes Chromium's profile before t.TempDir's cleanup does:
// its child processes can still write there for a moment after it exits,
// and TempDir's single try would then fail the test.
func removeProfile(dir string) {
	for range 50 {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// do runs actions within stepTimeout and fails the test, saying what was
// being done, when one fails.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(what, err)
	}
}

// browserRun is do for an action that returns a value.
func browserRun[T any](b *browser, what string, action chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		b.fail(what, err)
	}
	return v
}

// fail ends the test with what was being done, on which page.
func (b *browser) fail(what string, err error) {
	b.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("nothing after %v", stepTimeout)
	}
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	at, _ := chromedp.Run(ctx, chromedp.Location())
	b.t.Fatalf("%s: %v (on %s)", what, err, at)
}

// js quotes s as a JavaScript string.
func js(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// visit opens path (with its query) and waits until the page has loaded.
func (b *browser) visit(path string) {
	b.t.Helper()
	b.do("visit "+path, chromedp.Navigate(b.base+path))
}

// path is the current page's path and query, as in "/timeline?actor=ada".
func (b *browser) path() string {
	b.t.Helper()
	return browserRun(b, "read the location", chromedp.Evaluate[string](`location.pathname + location.search`))
}

// fill types value into the input or textarea sel, replacing what it held,
// or selects the option with that value in the select sel.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	css := chromedp.CSS(sel)
	b.do("find "+sel, chromedp.WaitVisible(css))
	// Empty a field before typing; choose an option as a click would.
	prepare := `(() => {
		const el = document.querySelector(` + js(sel) + `);
		if (el.tagName !== "SELECT") {
			el.value = "";
			return "typed";
		}
		el.value = ` + js(value) + `;
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return el.value === ` + js(value) + ` ? "chosen" : "missing";
	})()`
	switch b.eval(prepare) {
	case "missing":
		b.t.Fatalf("select %s has no option %q", sel, value)
	case "typed":
		if value != "" {
			b.do("fill "+sel, chromedp.SendKeys(css, value))
		}
	}
}

// eval evaluates a JavaScript expression whose value is a string.
func (b *browser) eval(expr string) string {
	b.t.Helper()
	return browserRun(b, "evaluate "+expr, chromedp.Evaluate[string](expr))
}

// click clicks the element sel. When it is (in) a link or a form's submit
// button, click waits for the page it leads to, unless no navigation starts
// within navigationGrace (a script took the click over). It does not wait
// when htmx handles the click: follow it with waitFor.
func (b *browser) click(sel string) {
	b.t.Helper()
	css := chromedp.CSS(sel)
	b.do("find "+sel, chromedp.WaitVisible(css))
	navigates := `(() => {
		const el = document.querySelector(` + js(sel) + `);
		const htmx = "[hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete], [hx-boost]";
		if (el.closest(htmx) || (el.form && el.form.closest(htmx))) return false;
		return !!(el.closest("a[href]") || (el.form && el.type === "submit"));
	})()`
	if !browserRun(b, "inspect "+sel, chromedp.Evaluate[bool](navigates)) {
		b.do("click "+sel, chromedp.Click(css, chromedp.NodeVisible))
		return
	}

	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	started := make(chan struct{})
	requests := chromedp.Events(ctx, page.FrameRequestedNavigation) // subscribes now
	go func() {
		for _, err := range requests {
			if err == nil {
				close(started)
			}
			return
		}
	}()
	loadCtx, stopWaiting := context.WithCancel(ctx)
	defer stopWaiting()
	clicked := make(chan struct{})
	loaded := make(chan error, 1)
	go func() {
		_, err := chromedp.RunResponse(loadCtx, chromedp.Click(css, chromedp.NodeVisible),
			chromedp.Func(func(context.Context, *chromedp.Target) error { close(clicked); return nil }))
		loaded <- err
	}()
	var err error
	select {
	case err = <-loaded: // the click failed
	case <-clicked:
		select {
		case err = <-loaded:
		case <-started:
			err = <-loaded
		case <-time.After(navigationGrace):
			stopWaiting()
			if err = <-loaded; errors.Is(err, context.Canceled) && ctx.Err() == nil {
				err = nil
			}
		}
	}
	if err != nil {
		b.fail("click "+sel, err)
	}
}

// text is the visible text of the element sel, trimmed.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(browserRun(b, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// texts is the visible text of every element sel, trimmed; it does not wait.
func (b *browser) texts(sel string) []string {
	b.t.Helper()
	expr := `[...document.querySelectorAll(` + js(sel) + `)].map(e => e.innerText.trim())`
	return browserRun(b, "read "+sel, chromedp.Evaluate[[]string](expr))
}

// value is the value of the input, textarea or select sel.
func (b *browser) value(sel string) string {
	b.t.Helper()
	return browserRun(b, "read "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// exists reports whether the page has an element sel now; it does not wait.
func (b *browser) exists(sel string) bool {
	b.t.Helper()
	return browserRun(b, "look for "+sel, chromedp.Evaluate[bool](`document.querySelector(`+js(sel)+`) !== null`))
}

// waitFor waits until the JavaScript expression cond is true, for what a
// script changes in the page without a navigation (htmx).
func (b *browser) waitFor(cond string) {
	b.t.Helper()
	b.do("wait for "+cond, chromedp.Poll[chromedp.Void](cond,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(stepTimeout)))
}

// resize sets the size of the window, as a phone or a laptop has it. Pages
// that adapt when they load (the menu) need a visit after it.
func (b *browser) resize(width, height int64) {
	b.t.Helper()
	b.do(fmt.Sprintf("resize to %dx%d", width, height), chromedp.EmulateViewport(width, height))
}

// screenshot saves the whole page as name.png, in $ASSENT_SCREENSHOTS or a
// temporary directory. Name it after the test and the page, as the directory
// is shared.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	if err := b.saveScreenshot(name); err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
}

func (b *browser) saveScreenshot(name string) error {
	if b.shots == "" {
		b.shots = os.Getenv("ASSENT_SCREENSHOTS")
		if b.shots == "" {
			b.shots = b.t.TempDir()
		}
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return err
	}
	file := filepath.Join(b.shots, name+".png")
	b.t.Logf("screenshot %s", file)
	return os.WriteFile(file, png, 0o644)
}

// signIn signs in on the sign-in page.
func (b *browser) signIn(username, password string) {
	b.t.Helper()
	b.visit("/login")
	b.submitSignIn(username, password)
}

// submitSignIn fills and sends the sign-in form of the current page, as
// after being sent there from another page.
func (b *browser) submitSignIn(username, password string) {
	b.t.Helper()
	b.fill("#f-username", username)
	b.fill("#f-password", password)
	b.click(`form[action="/login"] button[type="submit"]`)
}

// signOut logs out through the user menu.
func (b *browser) signOut() {
	b.t.Helper()
	b.click("details.user-menu > summary")
	b.click(`details.user-menu form[action="/logout"] button`)
}
