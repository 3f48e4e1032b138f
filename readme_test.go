//go:build unix

package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/m2mport/m2mport/cli"
	"github.com/m2mport/m2mport/keystore"
	"github.com/m2mport/m2mport/keystore/keystoretest"
)

// The README's shell examples are run as written, top to bottom, in one POSIX shell, as a
// reader pasting them into one terminal would: what one example exports or starts in the
// background, the next one has. `m2mport` on that shell's PATH is this test binary under
// another name, which TestMain turns into the real command. (Unix only: it needs sh and
// process groups.)
//
// Each ```sh block is an example. An HTML comment right above it may say how to run it:
//
//	<!-- test: exit 2 -->               the block's last command must exit 2 (default 0; a block
//	                                    that expects a failure must be one command)
//	<!-- test: skip (why) -->           not run; its commands and flags are still checked
//	<!-- test: keyring -->              needs the OS keyring: run against a throwaway keyring
//	                                    service, skipped without one unless M2MPORT_REQUIRE_KEYRING=1
//	<!-- test: reportkey -->            needs the OS keyring for the report key the shell's earlier
//	                                    imports kept in its own service (undo checks their
//	                                    reports with it): skipped without one unless
//	                                    M2MPORT_REQUIRE_KEYRING=1
//	<!-- test: needs curl jq -->        skipped when these programs are missing
//
// Directives are separated by ";". A ```text block right after an example is what it prints:
// each of its lines must appear, in order, in the example's output (stdout and stderr as a
// terminal shows them), where runs of spaces count as one and "…" stands for any text.

const readmePath = "README.md"

func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "m2mport" {
		main()
	}
	os.Exit(m.Run())
}

// example is one shell block of the README.
type example struct {
	line    int    // of the opening fence
	script  string // the block's text
	exit    int    // the status its last command must end with
	skip    string // why it is not run, if it is not
	keyring bool
	// reportkey: the example needs the report key kept in the shell's own keyring service.
	reportkey bool
	needs     []string
	output    []string // what it prints, from the ```text block after it
}

// readmeExamples returns the README's shell blocks and the text of every code span and block,
// for the command check.
func readmeExamples(t *testing.T) (examples []example, code []string) {
	t.Helper()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var directives string
	directiveRE := regexp.MustCompile(`^<!--\s*test:\s*(.*?)\s*-->$`)
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if m := directiveRE.FindStringSubmatch(l); m != nil {
			directives = m[1]
			continue
		}
		if strings.HasPrefix(l, "```") {
			lang := strings.TrimPrefix(l, "```")
			start := i + 1
			i = fenceEnd(t, lines, i)
			body := strings.Join(lines[start:i], "\n")
			if lang != "text" {
				code = append(code, body)
			}
			if lang == "sh" {
				ex := example{line: start, script: body}
				parseDirectives(t, &ex, directives)
				// A ```text block right after it is its output.
				j := i + 1
				for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
					j++
				}
				if j < len(lines) && strings.TrimSpace(lines[j]) == "```text" {
					end := fenceEnd(t, lines, j)
					ex.output = lines[j+1 : end]
					i = end
				}
				examples = append(examples, ex)
			}
			directives = ""
			continue
		}
		if l != "" {
			directives = ""
			for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(lines[i], -1) {
				code = append(code, m[1])
			}
		}
	}
	return examples, code
}

func fenceEnd(t *testing.T, lines []string, open int) int {
	t.Helper()
	for i := open + 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "```" {
			return i
		}
	}
	t.Fatalf("%s:%d: the code block never ends", readmePath, open+1)
	return 0
}

func parseDirectives(t *testing.T, ex *example, s string) {
	t.Helper()
	for _, d := range strings.Split(s, ";") {
		d = strings.TrimSpace(d)
		word, rest, _ := strings.Cut(d, " ")
		switch word {
		case "":
		case "exit":
			n, err := strconv.Atoi(rest)
			if err != nil {
				t.Fatalf("%s:%d: %q: want exit N", readmePath, ex.line, d)
			}
			ex.exit = n
		case "skip":
			ex.skip = strings.Trim(rest, "()")
			if ex.skip == "" {
				t.Fatalf("%s:%d: say why the block is skipped", readmePath, ex.line)
			}
		case "keyring":
			ex.keyring = true
		case "reportkey":
			ex.reportkey = true
		case "needs":
			ex.needs = strings.Fields(rest)
		default:
			t.Fatalf("%s:%d: unknown test directive %q", readmePath, ex.line, d)
		}
	}
}

// TestREADMEExamples runs the README's shell examples against the sandbox they start.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's examples against a sandbox")
	}
	examples, _ := readmeExamples(t)
	run := 0
	for _, ex := range examples {
		if ex.skip == "" {
			run++
		}
	}
	if run < 10 {
		t.Fatalf("only %d of the README's %d shell examples run: mark fewer as skipped", run, len(examples))
	}
	sh := startShell(t)
	for _, ex := range examples {
		t.Run(fmt.Sprintf("line %d", ex.line), func(t *testing.T) {
			if ex.skip != "" {
				t.Skip(ex.skip)
			}
			for _, p := range ex.needs {
				if _, err := exec.LookPath(p); err != nil {
					t.Skipf("needs %s, which is not installed", p)
				}
			}
			service := sh.service
			if ex.keyring {
				service = keystoretest.Real(t).Service
			}
			if ex.reportkey {
				keystoretest.Real(t) // skips (or fails under M2MPORT_REQUIRE_KEYRING) without a keyring
			}
			out, code := sh.run(t, ex, service)
			if code != ex.exit {
				t.Fatalf("%s:%d: exit %d, want %d:\n%s\n%s", readmePath, ex.line, code, ex.exit, ex.script, out)
			}
			if missing := findInOrder(ex.output, out); missing != "" {
				t.Fatalf("%s:%d: the output shown in the README has %q, which the example does not print:\n%s\n%s",
					readmePath, ex.line, missing, ex.script, out)
			}
		})
	}
}

// shell is one POSIX shell the examples run in, one after another.
type shell struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	lines    chan string
	scripts  string // where each example is written before the shell sources it
	done     string // the line that ends an example's output
	service  string // the keyring service examples use unless they need a real one
	finished bool   // the shell has ended: later examples can't run
}

func startShell(t *testing.T) *shell {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin, home, work := filepath.Join(tmp, "bin"), filepath.Join(tmp, "home"), filepath.Join(tmp, "work")
	for _, d := range []string{bin, home, work} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(self, filepath.Join(bin, "m2mport")); err != nil {
		t.Fatal(err)
	}
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	sh := &shell{
		lines:   make(chan string, 1024),
		scripts: tmp,
		done:    "readme-example-done-" + hex.EncodeToString(nonce[:]),
		// Examples that don't ask for the keyring still may read it (status does): give them
		// an empty service of their own, never the operator's saved credentials.
		service: "m2mport-readme-" + hex.EncodeToString(nonce[:4]),
	}
	t.Cleanup(func() { // imports keep their report key there, when there is a keyring
		if s, err := keystore.Open(func(k string) string {
			if k == "M2MPORT_KEYRING_SERVICE" {
				return sh.service
			}
			return ""
		}); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = s.ForgetAll(ctx)
		}
	})
	// A clean environment: the developer's own AUTH0_*, STYTCH_*, NO_COLOR or M2MPORT_THEME
	// must not change what the examples do. The session bus stays, for the keyring examples.
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + home,
		"XDG_STATE_HOME=" + filepath.Join(home, ".local/state"), "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"LANG=C.UTF-8", "TERM=dumb"}
	for _, k := range []string{"DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "TMPDIR", "GOCOVERDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	sh.cmd = exec.Command("sh")
	sh.cmd.Dir, sh.cmd.Env = work, env
	// Its own process group, so that whatever the examples leave running (the sandbox) ends
	// with the test.
	sh.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	sh.cmd.Stdout, sh.cmd.Stderr = w, w
	if sh.stdin, err = sh.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sh.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	go func() {
		defer close(sh.lines)
		s := bufio.NewScanner(r)
		s.Buffer(make([]byte, 64<<10), 1<<20)
		for s.Scan() {
			sh.lines <- s.Text()
		}
	}()
	t.Cleanup(func() {
		sh.stdin.Close()
		_ = syscall.Kill(-sh.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { sh.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-sh.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		r.Close()
	})
	return sh
}

// run runs one example and returns what it printed and its exit status.
func (sh *shell) run(t *testing.T, ex example, service string) (string, int) {
	t.Helper()
	if sh.finished {
		t.Skip("the shell ended at an earlier example")
	}
	file := filepath.Join(sh.scripts, fmt.Sprintf("example-%d.sh", ex.line))
	if err := os.WriteFile(file, []byte(ex.script+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// With set -e a failing command ends the shell, and with it the run. Examples read
	// /dev/null, not the rest of the script.
	errexit := "set -e"
	if ex.exit != 0 {
		errexit = "set +e"
	}
	fmt.Fprintf(sh.stdin, "export M2MPORT_KEYRING_SERVICE='%s'\n%s\n. '%s' </dev/null\nprintf '\\n%s %%d\\n' $?\nset +e\n",
		service, errexit, file, sh.done)

	var out strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		select {
		case l, ok := <-sh.lines:
			if !ok {
				sh.finished = true
				t.Fatalf("%s:%d: the shell ended (a command failed under set -e):\n%s\n%s", readmePath, ex.line, ex.script, out.String())
			}
			if rest, found := strings.CutPrefix(l, sh.done+" "); found {
				code, err := strconv.Atoi(rest)
				if err != nil {
					t.Fatalf("status line %q", l)
				}
				return out.String(), code
			}
			out.WriteString(l + "\n")
		case <-ctx.Done():
			sh.finished = true
			t.Fatalf("%s:%d: still running after 2 minutes:\n%s\n%s", readmePath, ex.line, ex.script, out.String())
		}
	}
}

// findInOrder returns the first line of want that is not found in got after the lines before
// it, or "" when all are. Blank lines in want are ignored.
func findInOrder(want []string, got string) string {
	have := strings.Split(got, "\n")
	for _, w := range want {
		if strings.TrimSpace(w) == "" {
			continue
		}
		re := lineRE(w)
		found := false
		for len(have) > 0 && !found {
			found = re.MatchString(squash(have[0]))
			have = have[1:]
		}
		if !found {
			return w
		}
	}
	return ""
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// lineRE matches a whole output line as the README shows it: "…" is any text.
func lineRE(shown string) *regexp.Regexp {
	parts := strings.Split(squash(shown), "…")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// invocations finds the m2mport commands in shell text and returns the words after
// "m2mport" (or "go run ."): where a command starts (a line, or after | ; & ( $( ), after
// VAR=value words and env's own options. Comments are dropped.
func invocations(text string) [][]string {
	text = strings.ReplaceAll(text, "\\\n", " ")
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		for _, segment := range regexp.MustCompile(`\$\(|&&|\|\||[|;&(]`).Split(line, -1) {
			words := strings.Fields(segment)
			for len(words) > 0 && (regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`).MatchString(words[0]) || words[0] == "env") {
				if words[0] == "env" {
					for words = words[1:]; len(words) > 0 && strings.HasPrefix(words[0], "-"); words = words[1:] {
						if words[0] == "-u" && len(words) > 1 {
							words = words[1:]
						}
					}
					continue
				}
				words = words[1:]
			}
			switch {
			case len(words) > 0 && words[0] == "m2mport":
				out = append(out, words[1:])
			case len(words) > 2 && words[0] == "go" && words[1] == "run" && words[2] == ".":
				out = append(out, words[3:])
			}
		}
	}
	return out
}

// TestREADMECommandsExist checks every m2mport command line in the README, in code blocks
// and in `code` in the text, run or not: the command exists and takes each --flag it is shown
// with, under the name of the flag scheme (not an older spelling it still accepts).
func TestREADMECommandsExist(t *testing.T) {
	_, code := readmeExamples(t)
	root := cli.Command(cli.Stdio{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	checked := 0
	for _, text := range code {
		for _, args := range invocations(text) {
			var words []string
			for _, a := range args {
				if strings.HasPrefix(a, "-") {
					break
				}
				words = append(words, a)
			}
			cmd, rest, err := root.Find(words)
			shown := strings.TrimSpace("m2mport " + strings.Join(words[:len(words)-len(rest)], " "))
			if err != nil || (len(rest) > 0 && cmd.HasAvailableSubCommands()) {
				t.Errorf("README: `m2mport %s` is not a command", strings.Join(words, " "))
				continue
			}
			checked++
			for _, a := range args {
				if !strings.HasPrefix(a, "--") || a == "--" {
					continue
				}
				name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
				if name == "help" || name == "version" {
					continue
				}
				if f := cmd.Flags().Lookup(name); f == nil || f.Name != name {
					t.Errorf("README: `%s` has no flag --%s", shown, name)
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("found only %d m2mport command lines in the README", checked)
	}
}

// TestREADMEImagesExist: every image the README shows is in the repository, the animated
// demo first (vhs/animate.sh makes it, vhs/screenshots.sh the stills).
func TestREADMEImagesExist(t *testing.T) {
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	images := regexp.MustCompile(`!\[[^\]]*\]\(([^)\s]+)\)`).FindAllStringSubmatch(string(b), -1)
	if len(images) == 0 || images[0][1] != "vhs/demo.gif" {
		t.Fatalf("the README's first image should be the animated demo, vhs/demo.gif; images %q", images)
	}
	for _, m := range images {
		if strings.Contains(m[1], "://") {
			continue
		}
		if fi, err := os.Stat(m[1]); err != nil || fi.Size() == 0 {
			t.Errorf("the README shows %s, which is not here: %v", m[1], err)
		}
	}
}
