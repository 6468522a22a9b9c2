package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/urfave/cli/v3"

	"assent/sqldb/sqldbtest"
)

// docPages are the pages whose ```sh blocks TestDocs runs, each against a
// server of its own. Every ```sh block of these pages runs, unless its
// info string says otherwise (see docBlockTags).
var docPages = []string{
	"README.md",
	"docs/api.md",
	"docs/cli.md",
	"docs/templates.md",
	"docs/concepts.md",
	"docs/operations.md",
	"docs/security.md",
	"docs/audit.md",
	"docs/metrics.md",
	"docs/deployments.md",
	"docs/tutorial.md",
}

// docBlockTags are the words a ```sh info string may add:
//
//	no-run    an example that must not run here (serve, go test, installing)
//	env       the variables the page's examples use, defined once; the test
//	          sets its own values for them instead of running the block
var docBlockTags = []string{"no-run", "env"}

// docAdminPassword is the admin's password on every docs server.
const docAdminPassword = "docs-admin-password"

// TestDocs runs the shell examples of the docs, so that they cannot drift
// from the code. For each page it starts `assent serve` through the real
// Main on a temporary SQLite data directory, then runs the page's ```sh
// blocks in order in one bash process (set -euo pipefail), as a reader
// would paste them into one terminal: variables and files carry over from
// block to block. The binary is on PATH as `assent`, built once from this
// package. A block fails the test when a command in it fails; blocks check
// their expected output themselves (jq -e, grep).
func TestDocs(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq", "grep"} {
		if _, err := exec.LookPath(tool); err != nil {
			sqldbtest.SkipOrFail(t, "the docs' examples need "+tool)
		}
	}
	root := filepath.Join("..", "..")
	bin := buildAssent(t)
	for _, page := range docPages {
		t.Run(strings.TrimSuffix(filepath.Base(page), ".md"), func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join(root, page))
			if err != nil {
				t.Fatal(err)
			}
			blocks, err := parseDocBlocks(string(text))
			if err != nil {
				t.Fatalf("%s: %v", page, err)
			}
			runDocPage(t, page, bin, blocks)
		})
	}
}

// TestDocsLinks checks that every relative link of the pages leads to a
// file that exists and, into a Markdown page, to a heading it has.
func TestDocsLinks(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, page := range docPages {
		text, err := os.ReadFile(filepath.Join(root, page))
		if err != nil {
			t.Fatal(err)
		}
		checkDocLinks(t, root, page, string(text))
	}
}

// TestDocsREADME checks what CI and newcomers rely on in the README.
func TestDocsREADME(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"go run ./cmd/assent serve", "--demo", "go test ./...", "docs/images/model-registry.png"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
}

// TestDocsCoverCommandsAndFlags checks that docs/cli.md names every command
// and flag of the binary, and that docs/operations.md names every variable
// of the global and serve flags, so that a new flag cannot go undocumented.
func TestDocsCoverCommandsAndFlags(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cliDoc, opsDoc := read("cli.md"), read("operations.md")
	root := (&Main{}).command()
	checkFlags := func(where string, flags []cli.Flag, ops bool) {
		for _, f := range flags {
			for _, name := range f.Names() {
				if len(name) > 1 && !strings.Contains(cliDoc, "`--"+name+"`") {
					t.Errorf("docs/cli.md does not name `--%s` (%s)", name, where)
				}
			}
			df, ok := f.(cli.DocGenerationFlag)
			if !ok {
				continue
			}
			for _, env := range df.GetEnvVars() {
				if !strings.Contains(cliDoc, "`"+env+"`") {
					t.Errorf("docs/cli.md does not name `%s` (%s)", env, where)
				}
				if ops && !strings.Contains(opsDoc, "`"+env+"`") {
					t.Errorf("docs/operations.md does not name `%s` (%s)", env, where)
				}
			}
		}
	}
	checkFlags("global flags", root.Flags, true)
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			full := strings.TrimSpace(prefix + " " + c.Name)
			if !strings.Contains(cliDoc, full) {
				t.Errorf("docs/cli.md does not name the command %q", full)
			}
			checkFlags(full, c.Flags, full == "serve")
			walk(full, c.Commands)
		}
	}
	walk("", root.Commands)
}

// buildAssent builds this package into a temporary directory and returns
// that directory, to put on PATH.
func buildAssent(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "build", "-o", filepath.Join(dir, "assent"), ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// docBlock is one fenced block of a page.
type docBlock struct {
	line int      // of the opening fence, 1-based
	lang string   // "sh", "yaml", …
	tags []string // the info string's other words
	file string   // set by <!-- file: NAME --> on the line before the fence
	text string
}

func (b docBlock) has(tag string) bool { return slices.Contains(b.tags, tag) }

var fileComment = regexp.MustCompile(`^<!--\s*file:\s*([A-Za-z0-9._-]+)\s*-->$`)

// parseDocBlocks returns the fenced blocks of a page. A shell block must be
// fenced as sh, so that none escapes the test under another name.
func parseDocBlocks(page string) ([]docBlock, error) {
	var blocks []docBlock
	var cur *docBlock
	var body []string
	indent := ""
	prev := ""
	sc := bufio.NewScanner(strings.NewReader(page))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if cur != nil {
			if trimmed == "```" {
				cur.text = strings.Join(body, "\n") + "\n"
				blocks = append(blocks, *cur)
				cur, body = nil, nil
			} else {
				body = append(body, strings.TrimPrefix(line, indent))
			}
			continue
		}
		if info, ok := strings.CutPrefix(trimmed, "```"); ok {
			words := strings.Fields(info)
			cur = &docBlock{line: n}
			indent = line[:len(line)-len(trimmed)]
			if len(words) > 0 {
				cur.lang, cur.tags = words[0], words[1:]
			}
			if m := fileComment.FindStringSubmatch(strings.TrimSpace(prev)); m != nil {
				cur.file = m[1]
			}
			switch cur.lang {
			case "bash", "shell", "console", "zsh":
				return nil, fmt.Errorf("line %d: fence shell examples as ```sh, so that the test runs them", n)
			case "sh":
				for _, tag := range cur.tags {
					if !slices.Contains(docBlockTags, tag) {
						return nil, fmt.Errorf("line %d: unknown word %q in ```sh %s", n, tag, strings.Join(cur.tags, " "))
					}
				}
			}
		}
		prev = line
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: the block never ends", cur.line)
	}
	return blocks, sc.Err()
}

// docServer is the server a page's examples talk to.
type docServer struct {
	url     string
	dataDir string
	token   string // an admin's token
}

// docEnv maps the variables a page's env block may define to the values
// that point them at the test's server.
func (d *docServer) docEnv() map[string]string {
	return map[string]string{
		"ASSENT_SERVER":         d.url,
		"ASSENT_DATA_DIR":       d.dataDir,
		"ASSENT_ADMIN_PASSWORD": docAdminPassword,
		"ASSENT_TOKEN":          d.token,
	}
}

var envAssignment = regexp.MustCompile(`^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=`)

// runDocPage starts a server for a page and runs its sh blocks in one bash
// process, reporting the first block that fails with its output.
func runDocPage(t *testing.T, page, bin string, blocks []docBlock) {
	var runnable []docBlock
	for _, b := range blocks {
		if b.lang == "sh" && !b.has("no-run") && !b.has("env") {
			runnable = append(runnable, b)
		}
	}
	if len(runnable) == 0 {
		return
	}
	dataDir := filepath.Join(t.TempDir(), "assent-data")
	t.Setenv("ASSENT_ADMIN_PASSWORD", docAdminPassword)
	url, stop := serve(t, "--data-dir", dataDir, "--log-level", "warn")
	defer stop()
	d := &docServer{url: url, dataDir: dataDir, token: signIn(t, url, "admin", docAdminPassword)}
	work := t.TempDir()

	// The environment: the test's, without ASSENT_* settings that would
	// point the examples elsewhere, plus the page's variables.
	values := d.docEnv()
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for _, b := range blocks {
		if b.lang == "sh" && b.has("env") {
			for _, line := range strings.Split(b.text, "\n") {
				m := envAssignment.FindStringSubmatch(strings.TrimSpace(line))
				if m == nil {
					continue
				}
				v, ok := values[m[1]]
				if !ok {
					t.Fatalf("%s:%d defines %s, which the test cannot point at its server (it knows %v)", page, b.line, m[1], slices.Sorted(maps.Keys(values)))
				}
				fmt.Fprintf(&script, "export %s=%s\n", m[1], shellQuote(v))
			}
		}
		if b.file != "" {
			if err := os.WriteFile(filepath.Join(work, b.file), []byte(b.text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ran := map[int]docBlock{}
	for _, b := range runnable {
		ran[b.line] = b
		fmt.Fprintf(&script, "printf '\\n%s%d@@\\n'\n", docMarker, b.line)
		script.WriteString(b.text)
	}
	scriptFile := filepath.Join(t.TempDir(), "docs.sh")
	if err := os.WriteFile(scriptFile, []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", scriptFile)
	cmd.Dir = work
	// A home of its own, so that no ~/.curlrc or ~/.jq changes what the examples do.
	cmd.Env = append(docBaseEnv(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+t.TempDir())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err == nil {
		t.Logf("%s: ran %d blocks", page, len(ran))
		if testing.Verbose() {
			t.Logf("output:\n%s", out.String())
		}
		return
	}
	// The output of the failing block follows the last marker.
	output := out.String()
	line := 0
	if i := strings.LastIndex(output, docMarker); i >= 0 {
		fmt.Sscanf(output[i+len(docMarker):], "%d@@", &line)
		output = output[i:]
		output = output[strings.Index(output, "\n")+1:]
	}
	b, ok := ran[line]
	if !ok {
		t.Fatalf("%s: the examples failed before their first block: %v\n%s", page, err, out.String())
	}
	t.Fatalf("%s:%d: the example failed (%v):\n%s\n--- output:\n%s", page, b.line, err, b.text, output)
}

const docMarker = "@@docs-block "

// docBaseEnv is the test's environment without ASSENT_* variables and
// without what docs.sh sets itself.
func docBaseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "ASSENT_") && !slices.Contains([]string{"PATH", "HOME", "XDG_CONFIG_HOME", "CURL_HOME"}, name) {
			env = append(env, kv)
		}
	}
	return env
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// prose returns a page without its code blocks.
func prose(text string) string {
	var sb strings.Builder
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "```") {
			inCode = !inCode
		} else if !inCode {
			sb.WriteString(line + "\n")
		}
	}
	return sb.String()
}

// checkDocLinks fails for a relative link, outside code blocks, to a file
// that does not exist or to a heading that a Markdown page lacks.
func checkDocLinks(t *testing.T, root, page, text string) {
	t.Helper()
	for _, m := range markdownLink.FindAllStringSubmatch(prose(text), -1) {
		target, anchor, _ := strings.Cut(m[1], "#")
		if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		path := filepath.Join(root, filepath.Dir(page), filepath.FromSlash(target))
		if target == "" {
			path = filepath.Join(root, page)
		}
		linked, err := os.ReadFile(path)
		if err != nil {
			if info, serr := os.Stat(path); serr == nil && info.IsDir() {
				continue
			}
			t.Errorf("%s links to %s, which does not exist", page, m[1])
			continue
		}
		if anchor != "" && strings.HasSuffix(path, ".md") && !slices.Contains(headingAnchors(string(linked)), anchor) {
			t.Errorf("%s links to %s, which has no heading #%s", page, m[1], anchor)
		}
	}
}

// headingAnchors returns the anchors GitHub gives a page's headings:
// lowercase, punctuation dropped, spaces as dashes.
func headingAnchors(text string) []string {
	var out []string
	for _, line := range strings.Split(prose(text), "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var sb strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				sb.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				sb.WriteRune(r)
			}
		}
		out = append(out, sb.String())
	}
	return out
}
