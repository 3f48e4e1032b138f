//go:build memprof

package main

// A build of m2mport that writes a heap profile at its peak of live memory, for finding what
// a large run holds (DEVELOPERS.md, "Benchmarks at scale"):
//
//	go build -tags memprof -o /tmp/m2mport-prof .
//	M2MPORT_MEMPROFILE=/tmp/heap.pprof /tmp/m2mport-prof import --all --dry-run …
//	go tool pprof -sample_index=inuse_space -top /tmp/m2mport-prof /tmp/heap.pprof
//
// Every 10 ms it reads the live heap the last collection found; each time that exceeds the
// highest seen by 2%, it collects once more (a heap profile is up to two collections old
// otherwise) and writes the profile over the file. The profile left is the one taken at the
// most live memory, and the file named with ".peak" says how much that was.

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

func init() {
	path := os.Getenv("M2MPORT_MEMPROFILE")
	if path == "" {
		return
	}
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak uint64
		for range time.Tick(10 * time.Millisecond) {
			metrics.Read(sample)
			live := sample[0].Value.Uint64()
			if live < peak+peak/50 {
				continue
			}
			runtime.GC()
			peak = live
			f, err := os.Create(path)
			if err != nil {
				fmt.Fprintln(os.Stderr, "memprof:", err)
				return
			}
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			_ = f.Close()
			_ = os.WriteFile(path+".peak", fmt.Appendf(nil, "%d bytes live at %s\n", live, time.Now().Format(time.RFC3339Nano)), 0o600)
		}
	}()
}
