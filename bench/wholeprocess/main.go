// Command wholeprocess measures `vedette detect` as a whole process on a
// generated month against the reference a Go programmer would write: a
// single-threaded bufio.Scanner + goccy/go-json loop into a lean struct
// (./goccyloop) over the same files. The two run in turn, several rounds,
// on a machine that may be busy: what it reports is the median of the
// per-round speed ratios, detect's CPU use and peak RSS (the kernel's
// accounting of each finished process), and the size of the state detect
// holds after the run, against the target peak RSS ≤ 2 × state + 256 MB.
//
//	go run ./bench/wholeprocess                       # 3,000 users, 30 days (≈1.4M records, 2.8 GB)
//	go run ./bench/wholeprocess -users 11000          # ≈5M records
//	go run ./bench/wholeprocess -dir /tmp/month       # a month generated before (vedette gen)
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"syscall"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/runner"
)

func main() {
	users := flag.Int("users", 3000, "users of the generated month")
	days := flag.Int("days", 30, "days of the generated month")
	rounds := flag.Int("rounds", 5, "rounds, each the reference then detect (alternating which goes first)")
	dir := flag.String("dir", "", "a month generated before by `vedette gen` (default: generate one in a temporary directory)")
	old := flag.String("old", "", "another vedette binary (an earlier build) to run in the same rounds, for comparison")
	flag.Parse()
	if err := run(*users, *days, *rounds, *dir, *old); err != nil {
		fmt.Fprintln(os.Stderr, "wholeprocess:", err)
		os.Exit(1)
	}
}

func run(users, days, rounds int, dir, old string) error {
	tmp, err := os.MkdirTemp("", "vedette-wholeprocess-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	vedette, ref := filepath.Join(tmp, "vedette"), filepath.Join(tmp, "goccyloop")
	if err := command("go", "build", "-o", vedette, "./cmd/vedette"); err != nil {
		return err
	}
	if err := command("go", "build", "-o", ref, "./bench/wholeprocess/goccyloop"); err != nil {
		return err
	}
	if dir == "" {
		dir = filepath.Join(tmp, "month")
		if err := command(vedette, "gen", "-users", fmt.Sprint(users), "-days", fmt.Sprint(days), dir); err != nil {
			return err
		}
	}
	inputs := []string{filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl")}
	records, size, err := countLines(inputs)
	if err != nil {
		return err
	}
	fmt.Printf("month: %d records, %.2f GB, %d cores\n", records, float64(size)/1e9, runtime.NumCPU())
	var ratios, oldRatios, cpus, oldCPUs, refCPUs []float64
	var last string
	for r := range rounds {
		data := filepath.Join(tmp, fmt.Sprintf("data-%d", r))
		detect := func(bin, data string) []string {
			return append([]string{bin, "detect", "-q", "-config", filepath.Join(dir, "vedette.yaml"), "-data", data, "-out", data + ".out.jsonl"}, inputs...)
		}
		det := detect(vedette, data)
		refArgs := append([]string{ref}, inputs...)
		var d, g measure
		if r%2 == 0 {
			g, err = timed(refArgs)
			if err == nil {
				d, err = timed(det)
			}
		} else {
			d, err = timed(det)
			if err == nil {
				g, err = timed(refArgs)
			}
		}
		if err != nil {
			return err
		}
		ratio := g.wall.Seconds() / d.wall.Seconds()
		ratios = append(ratios, ratio)
		cpus, refCPUs = append(cpus, d.cpuSeconds()), append(refCPUs, g.cpuSeconds())
		fmt.Printf("round %d: goccy loop %.2fs (%.0f%% CPU, %.2f CPU-s), detect %.2fs (%.0f%% CPU, %.2f CPU-s, peak RSS %d MB): detect at %.2fx the loop's speed\n",
			r+1, g.wall.Seconds(), g.cpu(), g.cpuSeconds(), d.wall.Seconds(), d.cpu(), d.cpuSeconds(), d.rss>>20, ratio)
		if old != "" {
			o, err := timed(detect(old, data+"-old"))
			if err != nil {
				return err
			}
			os.RemoveAll(data + "-old")
			os.Remove(data + "-old.out.jsonl")
			oldRatios, oldCPUs = append(oldRatios, g.wall.Seconds()/o.wall.Seconds()), append(oldCPUs, o.cpuSeconds())
			fmt.Printf("         %s: %.2fs (%.0f%% CPU, %.2f CPU-s, peak RSS %d MB): %.2fx the loop's speed\n",
				filepath.Base(old), o.wall.Seconds(), o.cpu(), o.cpuSeconds(), o.rss>>20, g.wall.Seconds()/o.wall.Seconds())
		}
		if last != "" {
			os.RemoveAll(last)
			os.Remove(last + ".out.jsonl")
		}
		last = data
	}
	state, err := stateSize(filepath.Join(dir, "vedette.yaml"), last)
	if err != nil {
		return err
	}
	fmt.Printf("median: detect at %.2fx the goccy loop's speed (target ≥ 1.5x); CPU time %.2f s, the loop's %.2f s\n",
		median(ratios), median(cpus), median(refCPUs))
	if len(oldRatios) > 0 {
		fmt.Printf("median: %s at %.2fx; CPU time %.2f s\n", filepath.Base(old), median(oldRatios), median(oldCPUs))
	}
	fmt.Printf("state after the run: %.1f MB in memory; peak RSS target ≤ 2 × state + 256 MB = %.0f MB\n",
		float64(state)/(1<<20), float64(2*state+256<<20)/(1<<20))
	return nil
}

type measure struct {
	wall      time.Duration
	user, sys time.Duration
	rss       int64 // bytes
}

func (m measure) cpu() float64 { return 100 * m.cpuSeconds() / m.wall.Seconds() }

// cpuSeconds is the CPU time (user + sys): the steadier figure on a
// loaded machine, where wall time measures the scheduler's share.
func (m measure) cpuSeconds() float64 { return (m.user + m.sys).Seconds() }

// median sorts v and returns its median.
func median(v []float64) float64 {
	slices.Sort(v)
	return v[len(v)/2]
}

// timed runs args and returns the kernel's accounting of it.
func timed(args []string) (measure, error) {
	cmd := exec.Command(args[0], args[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return measure{}, fmt.Errorf("%s: %w: %s", filepath.Base(args[0]), err, stderr.Bytes())
	}
	m := measure{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.user = time.Duration(ru.Utime.Nano())
		m.sys = time.Duration(ru.Stime.Nano())
		m.rss = ru.Maxrss << 10 // KB on Linux
	}
	return m, nil
}

func command(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w", name, args, err)
	}
	return nil
}

func countLines(files []string) (lines int, size int64, err error) {
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return 0, 0, err
		}
		br := bufio.NewReaderSize(f, 1<<20)
		buf := make([]byte, 1<<20)
		for {
			n, rerr := br.Read(buf)
			lines += bytes.Count(buf[:n], []byte("\n"))
			size += int64(n)
			if rerr != nil {
				break
			}
		}
		f.Close()
	}
	return lines, size, nil
}

// stateSize is the live heap the activity baselines stored in data take
// once loaded: the state `detect` holds at the end of its run.
func stateSize(configPath, data string) (uint64, error) {
	cfg, err := config.Load(configPath)
	if err != nil {
		return 0, err
	}
	cfg.DataDir = data
	env, err := runner.Open(cfg, nil)
	if err != nil {
		return 0, err
	}
	parts, err := env.Baselines.MarshalTenants()
	env.Close()
	if err != nil {
		return 0, err
	}
	before := liveHeap()
	b := baseline.New(cfg.Baseline)
	if err := b.UnmarshalTenants(parts); err != nil {
		return 0, err
	}
	after := liveHeap() // parts still held, as before
	runtime.KeepAlive(b)
	runtime.KeepAlive(parts)
	return after - before, nil
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
