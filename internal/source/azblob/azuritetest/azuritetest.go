// Package azuritetest starts Azurite's blob service (Microsoft's storage
// emulator, npm "azurite") on a free loopback port for a test, in memory.
// Without azurite-blob on PATH the test is skipped, except in CI
// (CI=true), where it fails.
package azuritetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Account and Key are Azurite's well-known development account.
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Server is a running Azurite blob service.
type Server struct {
	URL              string // http://127.0.0.1:<port>/devstoreaccount1
	ConnectionString string
}

// Start runs azurite-blob until the test ends.
func Start(t testing.TB) Server {
	t.Helper()
	bin, err := exec.LookPath("azurite-blob")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("azurite-blob not installed (npm install -g azurite@3); .ci/run installs it")
		}
		t.Skip("azurite-blob not installed (npm install -g azurite@3)")
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port),
		"--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry")
	cmd.Dir, cmd.Stderr = t.TempDir(), os.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start azurite: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cancel(); <-exited })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("azurite exited before listening on %s", addr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("azurite did not listen on %s: %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	url := "http://" + addr + "/" + Account
	return Server{URL: url, ConnectionString: "DefaultEndpointsProtocol=http;AccountName=" + Account +
		";AccountKey=" + Key + ";BlobEndpoint=" + url + ";"}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
