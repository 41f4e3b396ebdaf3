// Command cluster measures the scale-out detect role on one machine: a
// generated month (several tenants' activity and a network's flow logs)
// is put on the internal topics of an in-process Kafka (kfake) by the
// ingest role, then 1, 2 and 4 detect members (in this process, each
// with its own store connection pool) read it into PostgreSQL from an
// empty store: events per second in total and per member. A live phase
// then produces the second half of the month to the source topics at a
// fixed rate through the ingest role while the members run, and samples
// the end-to-end lag (messages on the internal topics not yet committed
// in PostgreSQL, and how long they took to drain once the producer
// stopped). It prints one JSON object per member count.
//
//	go run ./bench/cluster [-tenants 8 -users 60 -days 14 -rate 4000]
//
// PostgreSQL: -pg DSN, else $VEDETTE_PG_DSN, else a throwaway cluster
// started with the Debian postgresql package (clustertest.StartPostgres).
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/vedette/vedette/internal/cluster/clustertest"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/runner"
	"github.com/vedette/vedette/internal/store"
)

type result struct {
	Members         int     `json:"members"`
	Messages        int64   `json:"internal_messages"`
	Seconds         float64 `json:"catch_up_seconds"`
	PerSecond       float64 `json:"messages_per_second"`
	PerMember       float64 `json:"messages_per_second_per_member"`
	LiveRate        int     `json:"live_source_messages_per_second"`
	LiveMaxBehind   int64   `json:"live_max_messages_behind"`
	LiveDrainSecond float64 `json:"live_drain_seconds"`
}

func main() {
	sz := clustertest.Size{VMs: 30, NetDays: 7, Spread: 8}
	flag.IntVar(&sz.Tenants, "tenants", 8, "tenants (organisations) of activity")
	flag.IntVar(&sz.Users, "users", 60, "users per tenant")
	flag.IntVar(&sz.Days, "days", 14, "days of activity")
	pgDSN := flag.String("pg", os.Getenv("VEDETTE_PG_DSN"), "PostgreSQL DSN (default: a throwaway cluster)")
	rate := flag.Int("rate", 4000, "source messages per second in the live phase")
	counts := flag.String("members", "1,2,4", "detect member counts to measure")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run here")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(sz, *pgDSN, *rate, *counts); err != nil {
		fmt.Fprintln(os.Stderr, "bench/cluster:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(sz clustertest.Size, dsn string, rate int, counts string) error {
	if dsn == "" {
		pg, err := clustertest.StartPostgres()
		if err != nil {
			return err
		}
		defer pg.Remove()
		dsn = pg.DSN()
	}
	dir, err := os.MkdirTemp("", "vedette-bench-cluster-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	w, err := clustertest.Generate(dir, sz)
	if err != nil {
		return err
	}
	act, err := clustertest.ActivityMessages(w.Activity, 7)
	if err != nil {
		return err
	}
	flows, err := clustertest.FlowLogMessages(w.Flows)
	if err != nil {
		return err
	}
	for i, c := range strings.Split(counts, ",") {
		var n int
		if _, err := fmt.Sscan(c, &n); err != nil || n < 1 {
			return fmt.Errorf("-members %q", counts)
		}
		db, err := freshDatabase(dsn, fmt.Sprintf("bench_cluster_%d_%d", i, time.Now().Unix()))
		if err != nil {
			return err
		}
		r, err := measure(w, db, n, rate, act, flows)
		if err != nil {
			return err
		}
		json.NewEncoder(os.Stdout).Encode(r)
	}
	return nil
}

// measure runs one member count on a fresh Kafka and database.
func measure(w clustertest.World, dsn string, n, rate int, act, flows [][]byte) (result, error) {
	r := result{Members: n, LiveRate: rate}
	kc, err := clustertest.NewKafka(clustertest.Partitions{ActivitySource: 4, FlowLogSource: 1, Internal: 8})
	if err != nil {
		return r, err
	}
	defer kc.Close()
	brokers := kc.ListenAddrs()
	ctx := context.Background()
	cfg := w.Config()
	cfg.DataDir, _ = os.MkdirTemp("", "vedette-bench-ingest-")
	defer os.RemoveAll(cfg.DataDir)
	os.Setenv("VEDETTE_BENCH_PG", dsn)
	cfg.Store.Postgres.DSNEnv = "VEDETTE_BENCH_PG"
	half, fhalf := len(act)/2, len(flows)/2
	if err := ingest(ctx, brokers, cfg, act[:half], flows[:fhalf]); err != nil {
		return r, err
	}
	s, err := store.OpenWith(ctx, "", store.Options{PostgresDSN: dsn})
	if err != nil {
		return r, err
	}
	defer s.Close()
	if r.Messages, err = clustertest.Total(ctx, brokers); err != nil {
		return r, err
	}
	dc := clustertest.Live(cfg, brokers, config.RoleDetect)
	dc.Cluster.CommitInterval = 2 * time.Second
	mctx, stop := context.WithCancel(ctx)
	done := make(chan error, n)
	start := time.Now()
	for range n {
		go func() { done <- runner.Serve(mctx, dc, runner.ServeOptions{Log: slog.New(slog.DiscardHandler)}) }()
	}
	if err := caughtUp(ctx, brokers, s, nil); err != nil {
		stop()
		return r, err
	}
	r.Seconds = time.Since(start).Seconds()
	r.PerSecond = float64(r.Messages) / r.Seconds
	r.PerMember = r.PerSecond / float64(n)
	r.LiveMaxBehind, r.LiveDrainSecond, err = live(ctx, brokers, cfg, s, rate, act[half:], flows[fhalf:])
	stop()
	for range n {
		err = errors.Join(err, <-done)
	}
	return r, err
}

// live produces the rest of the month to the source topics at rate
// through an ingest role while the members run; it returns the most
// messages the members were behind and how long they took to drain.
func live(ctx context.Context, brokers []string, cfg config.Config, s *store.Store, rate int, act, flows [][]byte) (int64, float64, error) {
	ictx, stopIngest := context.WithCancel(ctx)
	defer stopIngest()
	ic := clustertest.Live(cfg, brokers, config.RoleIngest)
	ingested := make(chan error, 1)
	go func() {
		ingested <- runner.Serve(ictx, ic, runner.ServeOptions{FlushOnStop: true, Log: slog.New(slog.DiscardHandler)})
	}()
	var behind int64
	sample := func() {
		total, _ := clustertest.Total(ctx, brokers)
		if _, applied, err := clustertest.DetectCaughtUp(ctx, brokers, s, "vedette-detect"); err == nil {
			behind = max(behind, total-applied)
		}
	}
	batch := max(rate/10, 1)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; i < len(act); i += batch {
		<-tick.C
		if err := clustertest.Produce(ctx, brokers, clustertest.ActivitySource, 4, act[i:min(i+batch, len(act))]); err != nil {
			return 0, 0, err
		}
		if i%(batch*10) == 0 {
			sample()
		}
	}
	if err := clustertest.Produce(ctx, brokers, clustertest.FlowLogSource, 1, flows); err != nil {
		return 0, 0, err
	}
	time.Sleep(2 * time.Second) // the ingest role reads what was produced last
	stopIngest()
	if err := <-ingested; err != nil {
		return 0, 0, err
	}
	start := time.Now()
	err := caughtUp(ctx, brokers, s, sample)
	return behind, time.Since(start).Seconds(), err
}

func caughtUp(ctx context.Context, brokers []string, s *store.Store, sample func()) error {
	return clustertest.Poll(ctx, 10*time.Minute, "detect caught up", func() (bool, error) {
		if sample != nil {
			sample()
		}
		ok, _, err := clustertest.DetectCaughtUp(ctx, brokers, s, "vedette-detect")
		return ok, err
	})
}

func ingest(ctx context.Context, brokers []string, cfg config.Config, act, flows [][]byte) error {
	if err := clustertest.Produce(ctx, brokers, clustertest.ActivitySource, 4, act); err != nil {
		return err
	}
	if err := clustertest.Produce(ctx, brokers, clustertest.FlowLogSource, 1, flows); err != nil {
		return err
	}
	ic := clustertest.Live(cfg, brokers, config.RoleIngest)
	return clustertest.Ingest(ctx, brokers, len(act), 4, func(ctx context.Context, progress func(int, int)) error {
		return runner.Serve(ctx, ic, runner.ServeOptions{FlushOnStop: true, Log: slog.New(slog.DiscardHandler),
			ActivityProgress: func(c runner.ActivityCounters) { progress(c.Kafka.Messages, c.Kafka.CaughtUp) }})
	})
}

// freshDatabase creates database name on the server of dsn and returns
// its DSN.
func freshDatabase(dsn, name string) (string, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		return "", err
	}
	i := strings.LastIndex(dsn, "/")
	q := strings.IndexByte(dsn[i:], '?')
	if q < 0 {
		return dsn[:i+1] + name, nil
	}
	return dsn[:i+1] + name + dsn[i+q:], nil
}
