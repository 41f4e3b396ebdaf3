package gen

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// writeLists writes the IP lists the scenario's detections read.
func (g *generator) writeLists(dir string) error {
	n := g.net
	tor := make([]string, len(n.tor))
	for i, ip := range n.tor {
		tor[i] = ip.String()
	}
	anon := []string{n.commVPN.Net.String()}
	for _, p := range n.proxies {
		anon = append(anon, p.Net.String())
	}
	vpn := []string{"network,provider"}
	for _, v := range n.vpnNets {
		vpn = append(vpn, v.Net.String()+","+v.Provider)
	}
	var corp []string
	for _, o := range n.offices {
		corp = append(corp, o.Block.String())
	}
	for _, f := range []struct {
		name  string
		lines []string
	}{{TorExitFile, tor}, {AnonymousProxyFile, anon}, {VPNFile, vpn}, {CorporateFile, corp}, {ThreatIntelFile, n.intelLines()}} {
		if err := writeLines(filepath.Join(dir, f.name), f.lines); err != nil {
			return err
		}
	}
	return nil
}

func writeLines(path string, lines []string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("gen: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("gen: write %s: %w", path, err)
	}
	return nil
}
