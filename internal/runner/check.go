package runner

import (
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/enrich/geoip"
	"github.com/vedette/vedette/internal/enrich/iplist"
	"github.com/vedette/vedette/internal/inventory"
	"github.com/vedette/vedette/internal/source/kafka"
	"github.com/vedette/vedette/internal/ti"
)

// CheckFiles opens and parses every file cfg names, as a run would: GeoIP
// databases, IP lists, the host inventory, threat-intelligence feeds, the
// Kafka CA bundle and the API certificate. It returns a line per file that
// loaded and the errors of those that did not; it writes nothing.
func CheckFiles(cfg config.Config) (report []string, err error) {
	var errs []error
	for i, path := range cfg.Geo.MMDB {
		db, err := geoip.OpenMMDB(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("geo.mmdb[%d]: %w", i, err))
			continue
		}
		db.Close()
		report = append(report, fmt.Sprintf("geo.mmdb[%d] %s: opened", i, path))
	}
	lists, lerrs := checkLists(cfg.Lists)
	report, errs = append(report, lists...), append(errs, lerrs...)
	if p := cfg.Network.Inventory; p != "" {
		if _, err := inventory.Load(p); err != nil {
			errs = append(errs, fmt.Errorf("network.inventory: %w", err))
		} else {
			report = append(report, fmt.Sprintf("network.inventory %s: loaded", p))
		}
	}
	for _, p := range cfg.Network.TI.Feeds() {
		set, err := ti.Load([]string{p})
		if err != nil {
			errs = append(errs, fmt.Errorf("network.ti: %w", err))
			continue
		}
		report = append(report, fmt.Sprintf("network.ti %s: %d indicators, %d skipped", p, set.Len(), set.Skipped()))
	}
	if p := cfg.Activity.Kafka.TLS.CAFile; p != "" {
		if _, err := kafka.LoadCA(p); err != nil {
			errs = append(errs, fmt.Errorf("activity.kafka.tls.ca_file: %w", err))
		} else {
			report = append(report, fmt.Sprintf("activity.kafka.tls.ca_file %s: loaded", p))
		}
	}
	if t := cfg.API.TLS; t.Cert != "" {
		if _, err := tls.LoadX509KeyPair(t.Cert, t.Key); err != nil {
			errs = append(errs, fmt.Errorf("api.tls: %w", err))
		} else {
			report = append(report, fmt.Sprintf("api.tls %s: certificate and key loaded", t.Cert))
		}
	}
	return report, errors.Join(errs...)
}

// checkLists loads each IP list alone (to report every bad one), then all
// together (names must be distinct).
func checkLists(lists []config.List) (report []string, errs []error) {
	all := make([]iplist.ListConfig, len(lists))
	for i, l := range lists {
		all[i] = listConfig(l)
		set, err := iplist.Load(all[i : i+1])
		if err != nil {
			errs = append(errs, fmt.Errorf("lists[%d]: %w", i, err))
			continue
		}
		for _, st := range set.Stats() {
			line := fmt.Sprintf("lists[%d] %s (%s, %s): %d entries, %d bad lines", i, st.Path, st.Category, st.Format, st.Entries, st.BadLines)
			if st.FirstBad != "" {
				line += ", first " + st.FirstBad
			}
			report = append(report, line)
		}
	}
	if len(errs) == 0 {
		if _, err := iplist.Load(all); err != nil {
			errs = append(errs, fmt.Errorf("lists: %w", err))
		}
	}
	return report, errs
}

// listConfig is a configured list as the list loader takes it.
func listConfig(l config.List) iplist.ListConfig {
	return iplist.ListConfig{Path: l.Path, Category: iplist.Category(l.Category), Name: l.Name, Format: l.Format}
}
