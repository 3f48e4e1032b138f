package main

// Benchmarks of a whole import at scale, through the real binary against `m2mport sandbox`,
// as issue 14 measured it: the import process's peak memory, the bytes it wrote to disk, the
// size of its report per client, and its time against requests ÷ rate.
//
//	go test -run '^$' -bench ImportScale -benchtime 1x .                  # 10,000 clients
//	M2MPORT_BENCH_100K=1 go test -run '^$' -bench ImportScale -benchtime 1x -timeout 40m .
//
// M2MPORT_BENCH_BIN=/path/to/m2mport measures that build instead of this tree's (a baseline
// built from an older commit, measured in the same session). The 100,000-client runs take
// minutes and gigabytes: they run only with M2MPORT_BENCH_100K=1, one at a time.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// benchRate and benchConcurrency are the issue's: --rate 3000 --concurrency 32.
const (
	benchRate        = 3000
	benchConcurrency = 32
)

// The goals of issue 14.
const (
	goalImportPeakMB = 300
	goalDryRunPeakMB = 250
)

func BenchmarkImportScale(b *testing.B) {
	sizes := []int{10_000}
	if os.Getenv("M2MPORT_BENCH_100K") == "1" {
		sizes = append(sizes, 100_000)
	}
	bin := os.Getenv("M2MPORT_BENCH_BIN")
	if bin == "" {
		bin = buildBinary(b)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			h := newHome(b)
			sb := startSandbox(b, bin, h, "--seed", fmt.Sprintf("generated:%d", n), "--random-seed", "11")
			// The dry run first, while the project is empty: it plans n creates.
			b.Run("dry-run", func(b *testing.B) {
				for range b.N {
					m := measure(b, h.command(bin, sb.vars, "import", "--all", "--dry-run"))
					if m.code != 0 {
						b.Fatalf("dry run: exit %d\n%s", m.code, m.stderr)
					}
					b.ReportMetric(m.peakMB(), "peak-MB")
					b.ReportMetric(m.elapsed.Seconds(), "s")
					b.Logf("dry run of %d clients: peak %.0f MB (goal %d MB), %s, %d bytes on stdout",
						n, m.peakMB(), goalDryRunPeakMB, m.elapsed.Round(time.Millisecond), m.stdoutBytes)
				}
			})
			b.Run("import", func(b *testing.B) {
				for i := range b.N {
					report := filepath.Join(h.root, fmt.Sprintf("import-%d.report", i))
					m := measure(b, h.command(bin, sb.vars, "import", "--all", "--yes", "--json",
						"--rate", strconv.Itoa(benchRate), "--concurrency", strconv.Itoa(benchConcurrency), "--report", report))
					if m.code != 0 && i == 0 {
						b.Fatalf("import: exit %d\n%s\nlast line: %s", m.code, m.stderr, m.lastLine)
					}
					var sum struct {
						Requests int64 `json:"requests"`
						Progress struct {
							Imported, Skipped, Verified int
						} `json:"progress"`
					}
					if err := json.Unmarshal([]byte(m.lastLine), &sum); err != nil {
						b.Fatalf("the last line is not the summary: %q", m.lastLine)
					}
					if i == 0 && (sum.Progress.Imported != n || sum.Progress.Verified != n) {
						b.Fatalf("imported %d, verified %d of %d", sum.Progress.Imported, sum.Progress.Verified, n)
					}
					fi, err := os.Stat(report)
					if err != nil {
						b.Fatal(err)
					}
					size := fi.Size()
					ideal := float64(sum.Requests) / benchRate
					b.ReportMetric(m.peakMB(), "peak-MB")
					b.ReportMetric(float64(m.writeBytes)/1e6, "written-MB")
					b.ReportMetric(float64(m.writeBytes)/float64(size), "written/report")
					b.ReportMetric(float64(size)/float64(n), "report-B/client")
					b.ReportMetric(m.elapsed.Seconds(), "s")
					b.ReportMetric(m.elapsed.Seconds()/ideal, "s/ideal")
					b.Logf("import of %d clients: peak %.0f MB (goal %d MB); wrote %.1f MB to disk (%.2f× the report; goal ≤ 2×); "+
						"report %.1f MB, %.0f B a client; %s for %d requests, %.1f s at %d/s (%.2f×); %d bytes on stdout",
						n, m.peakMB(), goalImportPeakMB, float64(m.writeBytes)/1e6, float64(m.writeBytes)/float64(size),
						float64(size)/1e6, float64(size)/float64(n), m.elapsed.Round(time.Millisecond), sum.Requests, ideal, benchRate,
						m.elapsed.Seconds()/ideal, m.stdoutBytes)
				}
			})
		})
	}
}

// measurement is what one run of the binary cost.
type measurement struct {
	code        int
	elapsed     time.Duration
	peakRSS     int64 // bytes: the kernel's high-water mark of the process's resident memory
	writeBytes  int64 // bytes the process caused to be written to storage (/proc/PID/io write_bytes)
	stdoutBytes int64
	lastLine    string
	stderr      string
}

func (m measurement) peakMB() float64 { return float64(m.peakRSS) / 1e6 }

// measure runs cmd to its end. Its I/O counters are read while it is a zombie (waitid with
// WNOWAIT), after its last write and before the kernel forgets them; its peak memory comes
// from its rusage.
func measure(b *testing.B, cmd *exec.Cmd) measurement {
	b.Helper()
	var m measurement
	out := &tail{}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	b.ResetTimer()
	began := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
		b.Fatalf("waitid: %v", err)
	}
	m.elapsed = time.Since(began)
	b.StopTimer()
	counters, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", cmd.Process.Pid))
	if err != nil {
		b.Fatalf("read the I/O counters: %v", err)
	}
	for line := range strings.SplitSeq(string(counters), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			m.writeBytes, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	_ = cmd.Wait() // the exit status is read below
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	m.code = ws.ExitStatus()
	m.peakRSS = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024 // KiB on Linux
	m.stdoutBytes, m.lastLine, m.stderr = out.n, strings.TrimSpace(string(out.last)), stderr.String()
	return m
}

// tail counts what it is given and keeps the last complete line.
type tail struct {
	n       int64
	partial []byte
	last    []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.n += int64(len(p))
	t.partial = append(t.partial, p...)
	if i := bytes.LastIndexByte(t.partial, '\n'); i >= 0 {
		if line := t.partial[bytes.LastIndexByte(t.partial[:i], '\n')+1 : i]; len(line) > 0 {
			t.last = append(t.last[:0], line...)
		}
		t.partial = append(t.partial[:0], t.partial[i+1:]...)
	}
	return len(p), nil
}
